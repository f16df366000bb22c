"""The private S3 path against a real moto_server over HTTP (never a patched boto3)."""

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile

from apps.accounts import photos as account_photos
from apps.chat import safety as chat_safety
from apps.moderation import images as moderation_images
from apps.moderation.tests.conftest import jpeg_bytes
from conftest import _stop, _wait_for_port, free_port

BUCKET = "matchminds-media-test"


@pytest.fixture
def moto_s3(monkeypatch):
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-p", str(port), "-H", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process)
        endpoint = f"http://127.0.0.1:{port}"
        for name, value in {
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "ap-northeast-2",
        }.items():
            monkeypatch.setenv(name, value)
        boto3.client("s3", endpoint_url=endpoint, region_name="ap-northeast-2").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"}
        )
        yield endpoint
    finally:
        _stop(process)


@pytest.fixture
def s3_media(settings, moto_s3):
    """The storage settings production uses when AWS_STORAGE_BUCKET_NAME is set."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "region_name": "ap-northeast-2",
                "endpoint_url": moto_s3,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": settings.MEDIA_URL_EXPIRE_S,
                "file_overwrite": False,
                "location": "media",
            },
        },
    }
    yield moto_s3


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 (local moto_server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db
def test_photos_go_to_private_s3_are_served_by_expiring_url_and_deleted_with_the_account(s3_media, client):
    from django.core.files.storage import default_storage

    from apps.accounts import privacy
    from apps.accounts.tests.factories import PASSWORD, make_profile
    from apps.moderation.media import image_signed_url
    from apps.moderation.models import ModeratedImage
    from apps.moderation.tests.conftest import jpeg_upload

    profile = make_profile()
    account_photos.profile_photo_set(user=profile.user, upload=jpeg_upload())
    image = ModeratedImage.objects.get()
    s3 = boto3.client("s3", endpoint_url=s3_media, region_name="ap-northeast-2")
    key = f"media/{image.storage_name}"
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] > 0

    # Private: the plain object URL is refused; only the presigned one works.
    assert _status(f"{s3_media}/{BUCKET}/{key}") == 403
    client.force_login(profile.user)
    response = client.get(image_signed_url(image=image, viewer_id=profile.user_id))
    assert response.status_code == 302
    assert "X-Amz-Expires=300" in response["Location"] and "X-Amz-Signature=" in response["Location"]
    assert _status(response["Location"]) == 200

    # The pipeline reads the object back from S3.
    moderation_images.image_moderate(image_id=image.pk)
    assert ModeratedImage.objects.get().status == "approved"

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        privacy.account_delete(user=profile.user, password=PASSWORD)
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert not default_storage.exists(image.storage_name)


@pytest.mark.django_db
def test_s3_storage_round_trip_of_raw_bytes(s3_media):
    from django.core.files.storage import default_storage

    name = default_storage.save("chat/x.jpg", ContentFile(jpeg_bytes()))
    assert default_storage.open(name).read() == jpeg_bytes()
    default_storage.delete(name)
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_the_keyed_photo_and_chat_image_addresses_hand_out_presigned_s3_urls(s3_media, client):
    from apps.accounts.selectors import profile_photo_url
    from apps.accounts.tests.factories import make_profile
    from apps.chat.tests.factories import make_pair
    from apps.moderation.models import ModeratedImage
    from apps.moderation.tests.conftest import jpeg_upload

    alice, bob, room = make_pair()
    account_photos.profile_photo_set(user=alice, upload=jpeg_upload())
    moderation_images.image_moderate(image_id=ModeratedImage.objects.get().pk)
    chat_image = chat_safety.chat_image_upload(sender=alice, room_id=room.pk, upload=jpeg_upload())
    moderation_images.image_moderate(image_id=chat_image.pk)

    client.force_login(bob)
    alice.profile.refresh_from_db()
    for address in (profile_photo_url(profile=alice.profile), f"/safety/chat-images/{chat_image.key}/"):
        response = client.get(address)
        assert response.status_code == 302
        assert "X-Amz-Signature=" in response["Location"]
        assert _status(response["Location"]) == 200
    client.force_login(make_profile().user)
    assert client.get(f"/safety/chat-images/{chat_image.key}/").status_code == 404
