import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.accounts import photos as account_photos
from apps.accounts.models import PhotoStatus
from apps.accounts.selectors import profile_photo_url
from apps.accounts.tests.factories import make_profile
from apps.core.errors import DomainError

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (1600, 1200), exif_gps: bool = False) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 80))
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)}  # GPS IFD
        kwargs["exif"] = exif
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def upload(data: bytes, name: str = "me.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }
    return settings.MEDIA_ROOT


def test_photo_is_resized_reencoded_and_stripped_of_exif(media_root, settings):
    profile = make_profile()
    original = image_bytes(exif_gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)

    saved = account_photos.profile_photo_set(user=profile.user, upload=upload(original))

    assert saved.photo_status == PhotoStatus.PENDING
    with saved.photo.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "JPEG"
    assert max(stored.size) == settings.PHOTO_MAX_EDGE_PX
    assert dict(stored.getexif()) == {}


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(media_root, fmt):
    profile = make_profile()
    saved = account_photos.profile_photo_set(
        user=profile.user, upload=upload(image_bytes(fmt, (300, 300)), name=f"a.{fmt.lower()}")
    )
    assert saved.photo.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("data", "name", "content_type", "code"),
    [
        (b"%PDF-1.4 not an image", "cv.jpg", "image/jpeg", "invalid_image"),
        (image_bytes("GIF", (50, 50)), "anim.gif", "image/gif", "invalid_image"),
        (image_bytes("JPEG", (400, 400))[:300], "truncated.jpg", "image/jpeg", "invalid_image"),
        (b"<script>alert(1)</script>", "spoof.png", "image/png", "invalid_image"),
    ],
)
def test_non_images_and_corrupt_files_are_refused_and_nothing_is_stored(media_root, settings, data, name, content_type, code):
    profile = make_profile()
    with pytest.raises(DomainError) as error:
        account_photos.profile_photo_set(user=profile.user, upload=upload(data, name, content_type))
    assert error.value.code == code
    profile.refresh_from_db()
    assert not profile.photo
    assert profile.photo_status == PhotoStatus.NONE
    assert stored_files(settings) == []


def test_decompression_bomb_is_refused_before_decoding(media_root, settings):
    profile = make_profile()
    # 10,000 × 10,000 pixels of one colour compresses to a tiny PNG: 100 MP, far over 20 MP.
    bomb = image_bytes("PNG", (10_000, 10_000))
    assert len(bomb) < 1_000_000
    with pytest.raises(DomainError) as error:
        account_photos.profile_photo_set(user=profile.user, upload=upload(bomb, "bomb.png", "image/png"))
    assert error.value.code in {"image_too_many_pixels", "invalid_image"}
    assert stored_files(settings) == []


def test_over_twenty_megapixels_is_refused(media_root, settings):
    profile = make_profile()
    settings.PHOTO_MAX_PIXELS = 1_000_000
    with pytest.raises(DomainError) as error:
        account_photos.profile_photo_set(user=profile.user, upload=upload(image_bytes("JPEG", (1200, 1000))))
    assert error.value.code == "image_too_many_pixels"
    assert stored_files(settings) == []


def test_over_ten_megabytes_is_refused(media_root, settings):
    profile = make_profile()
    big = SimpleUploadedFile("big.jpg", b"\xff" * (settings.PHOTO_MAX_BYTES + 1), content_type="image/jpeg")
    with pytest.raises(DomainError) as error:
        account_photos.profile_photo_set(user=profile.user, upload=big)
    assert error.value.code == "image_too_large"
    assert stored_files(settings) == []


def test_pending_photo_is_hidden_from_others_but_shown_to_its_owner(media_root, client):
    owner = make_profile()
    other = make_profile()
    account_photos.profile_photo_set(user=owner.user, upload=upload(image_bytes()))
    owner.refresh_from_db()
    url = profile_photo_url(profile=owner)

    client.force_login(other.user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].endswith("accounts/placeholder.svg")

    client.force_login(owner.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"

    owner.refresh_from_db()
    owner.photo_status = PhotoStatus.APPROVED
    owner.save()
    client.force_login(other.user)
    assert client.get(url).status_code == 200
