import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.accounts.tests.factories import make_profile
from apps.moderation.text_filters import forget_operator_blocklist


def jpeg_bytes(size: tuple[int, int] = (320, 240), colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def jpeg_upload(name: str = "me.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_blocklist():
    """The operator blocklist is cached in Redis, which every test flushes; clear the local view too."""
    forget_operator_blocklist()
    yield


@pytest.fixture
def verified_profile():
    from django.utils import timezone

    def make(**kwargs):
        profile = make_profile(**kwargs)
        profile.university_verified_at = timezone.now()
        profile.save(update_fields=["university_verified_at"])
        return profile

    return make
