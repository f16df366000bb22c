"""Profile photos: a validated, EXIF-free copy stored pending, screened by moderation, and
its decision applied (registered on moderation's image_decided hook)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import hooks
from apps.accounts.errors import ErrorCode
from apps.accounts.images import process_uploaded_image
from apps.accounts.models import (
    PhotoStatus,
    Profile,
    User,
)
from apps.accounts.selectors import profile_for_user
from apps.core.errors import DomainError
from apps.moderation import images as moderation_images
from apps.moderation.models import ImagePurpose, ImageStatus, ModeratedImage


@transaction.atomic
def profile_photo_set(*, user: User, upload) -> Profile:
    """Store a validated, EXIF-free copy of the photo; it stays pending until moderated.

    Moderation of the new photo is queued after commit; others see it once it is approved.
    """
    profile = profile_for_user(user=user)
    if profile is None:
        raise DomainError(ErrorCode.PROFILE_INCOMPLETE, _("Complete your profile first."), http_status=403)
    moderation_images.upload_rate_limit_hit(user_id=user.pk)
    processed = process_uploaded_image(upload)
    old_photo_name = profile.photo.name if profile.photo else None
    if old_photo_name:
        # Image row before profile row: the moderation worker locks in this order too.
        moderation_images.image_discard(owner=user, storage_name=old_photo_name)
    profile.photo.save(processed.name, processed, save=False)
    profile.photo_status = PhotoStatus.PENDING
    profile.save(update_fields=["photo", "photo_status", "updated_at"])
    moderation_images.image_submit(owner=user, purpose=ImagePurpose.PROFILE_PHOTO, storage_name=profile.photo.name)
    if old_photo_name:
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo_name))
    hooks.profile_changed.send(user_id=user.pk)
    return profile


def profile_photo_decided(*, image: ModeratedImage) -> None:
    """Moderation decided a profile photo (registered on moderation's image_decided hook).

    Only the current photo changes the profile; a replaced one is already gone.
    """
    if image.purpose != ImagePurpose.PROFILE_PHOTO:
        return
    photo_status = {
        ImageStatus.APPROVED: PhotoStatus.APPROVED,
        ImageStatus.REJECTED: PhotoStatus.REJECTED,
    }.get(image.status, PhotoStatus.PENDING)
    Profile.objects.filter(user_id=image.owner_id, photo=image.storage_name).update(
        photo_status=photo_status, updated_at=timezone.now()
    )
