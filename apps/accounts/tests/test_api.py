import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Interest, University
from apps.accounts.selectors import profile_photo_url
from apps.accounts.tests.factories import make_profile, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def valid_payload(**overrides) -> dict:
    payload = {
        "nickname": "하늘",
        "gender": "F",
        "seeking": "FM",
        "birth_date": "2001-03-04",
        "university_id": University.objects.get(name_ko="고려대학교").pk,
        "region": "seoul",
        "interest_ids": list(Interest.objects.values_list("pk", flat=True)[:3]),
        "bio": "반가워요",
    }
    payload.update(overrides)
    return payload


def test_profile_api_requires_authentication(api):
    response = api.get("/api/v1/profile/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_put_creates_profile_and_get_returns_it(api):
    user = make_user()
    api.force_authenticate(user)
    response = api.put("/api/v1/profile/", valid_payload(), format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["nickname"] == "하늘"
    assert body["seeking"] == "FM"
    assert body["can_use_social_features"] is True
    assert api.get("/api/v1/profile/").json() == body


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"nickname": "x"}, "invalid_nickname", "nickname"),
        ({"gender": "X"}, "invalid", "gender"),
        ({"birth_date": "yesterday"}, "invalid", "birth_date"),
        ({"university_id": 999999}, "invalid_university", "university"),
        ({"interest_ids": [999999]}, "invalid_interest", "interests"),
        ({"bio": "가" * 301}, "invalid", "bio"),
    ],
)
def test_bad_profile_input_gets_a_structured_400(api, overrides, code, field):
    api.force_authenticate(make_user())
    response = api.put("/api/v1/profile/", valid_payload(**overrides), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error.get("field") == field or field in error.get("fields", {})


def test_duplicate_nickname_is_a_409(api):
    make_profile(nickname="하늘")
    api.force_authenticate(make_user())
    response = api.put("/api/v1/profile/", valid_payload(), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nickname_taken"


def test_malformed_json_is_a_400_not_a_500(api):
    api.force_authenticate(make_user())
    response = api.generic("PUT", "/api/v1/profile/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_photo_upload_api_rejects_non_images(api):
    profile = make_profile()
    api.force_authenticate(profile.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        "/api/v1/profile/photo/", {"photo": SimpleUploadedFile("x.jpg", b"hello", content_type="image/jpeg")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_image"


def test_public_card_never_shows_email_or_birth_date(api):
    profile = make_profile(nickname="별빛")
    api.force_authenticate(make_user())
    card = api.get(f"/api/v1/profiles/{profile.user_id}/").json()
    assert card["nickname"] == "별빛"
    assert "email" not in card and "birth_date" not in card and "age" not in card
    assert card["photo_url"] is None


def test_reference_lists_are_public(api):
    universities = api.get("/api/v1/universities/").json()
    assert any(item["name_ko"] == "서울대학교" for item in universities)
    assert len(api.get("/api/v1/interests/").json()) == Interest.objects.count()


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/profile/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_public_card_hides_an_approved_photo_across_a_block(api, settings, tmp_path):
    from django.core.files.base import ContentFile

    from apps.accounts.models import PhotoStatus
    from apps.moderation.blocks import block_create

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    owner, viewer = make_profile(), make_profile()
    owner.photo.save("p.jpg", ContentFile(b"x"), save=False)
    owner.photo_status = PhotoStatus.APPROVED
    owner.save()
    api.force_authenticate(viewer.user)
    assert api.get(f"/api/v1/profiles/{owner.user_id}/").json()["photo_url"] == profile_photo_url(profile=owner)

    block_create(blocker=owner.user, blocked_user_id=viewer.user_id)
    assert api.get(f"/api/v1/profiles/{owner.user_id}/").json()["photo_url"] is None
