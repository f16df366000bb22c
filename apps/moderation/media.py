"""Serving private images: never by a guessable address, always after a fresh permission check.

Two addresses exist. The moderators' URL names the image and the one viewer it was made for,
signed with SECRET_KEY and valid for MEDIA_URL_EXPIRE_S. A chat image's URL carries its random
`key` (the body of its message). Profile photos have neither: they are served only by
`accounts:photo`, which applies blocks and moderation. Serving checks whether the viewer may
see the image now; S3 objects are then handed out as presigned (also expiring) URLs, local
files are streamed.
"""

import uuid

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from apps.moderation.models import ImagePurpose, ModeratedImage
from apps.moderation.selectors import image_visible_to

SIGNING_SALT = "moderation.image"


def image_signed_url(*, image: ModeratedImage, viewer_id: int) -> str:
    token = signing.dumps({"image": image.pk, "viewer": viewer_id}, salt=SIGNING_SALT, compress=True)
    return reverse("moderation:image", args=[token])


def image_response(*, token: str, viewer_id: int | None, viewer_is_staff: bool) -> HttpResponse:
    """Raise Http404 for anything but a fresh URL made for this viewer of a visible image."""
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=settings.MEDIA_URL_EXPIRE_S)
    except signing.BadSignature:
        raise Http404 from None
    if payload.get("viewer") != viewer_id:
        raise Http404
    image = ModeratedImage.objects.filter(pk=payload.get("image")).first()
    return _image_response(image=image, viewer_id=viewer_id, viewer_is_staff=viewer_is_staff)


def chat_image_response(*, key: uuid.UUID, viewer_id: int, viewer_is_staff: bool) -> HttpResponse:
    """A chat image by its key; any other image (a profile photo) is not found here."""
    image = ModeratedImage.objects.filter(key=key, purpose=ImagePurpose.CHAT_IMAGE).first()
    return _image_response(image=image, viewer_id=viewer_id, viewer_is_staff=viewer_is_staff)


def _image_response(*, image: ModeratedImage | None, viewer_id: int | None, viewer_is_staff: bool) -> HttpResponse:
    """Serve one image after checking the viewer may see it now (on every request: a chat image
    stays tied to room membership and blocks); S3 objects as presigned URLs that expire after
    MEDIA_URL_EXPIRE_S."""
    if image is None or not image_visible_to(image=image, viewer_id=viewer_id, viewer_is_staff=viewer_is_staff):
        raise Http404
    if isinstance(default_storage, FileSystemStorage):
        if not default_storage.exists(image.storage_name):
            raise Http404
        response = FileResponse(default_storage.open(image.storage_name, "rb"), content_type="image/jpeg")
    else:
        response = HttpResponseRedirect(default_storage.url(image.storage_name))
    response["Cache-Control"] = f"private, max-age={settings.MEDIA_URL_EXPIRE_S}"
    return response
