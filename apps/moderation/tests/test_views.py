import time

import pytest
from django.core import signing

from apps.accounts import photos as account_photos
from apps.accounts.selectors import profile_photo_url
from apps.accounts.tests.factories import make_profile, make_user
from apps.chat.models import Room, RoomKind, RoomMember
from apps.moderation import blocks as moderation_blocks
from apps.moderation import images as moderation_images
from apps.moderation import reports as moderation_reports
from apps.moderation import text as moderation_text
from apps.moderation.media import SIGNING_SALT, image_signed_url
from apps.moderation.models import ImageStatus, ModeratedImage, ModerationAction, Report
from apps.moderation.tests.conftest import jpeg_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_photo(media_root):
    owner = make_profile()
    account_photos.profile_photo_set(user=owner.user, upload=jpeg_upload())
    return ModeratedImage.objects.get()


def test_nobody_sees_another_users_pending_photo_even_with_a_url_made_for_them(client, pending_photo):
    other = make_profile().user
    client.force_login(other)

    assert client.get(image_signed_url(image=pending_photo, viewer_id=other.pk)).status_code == 404

    client.force_login(pending_photo.owner)
    response = client.get(image_signed_url(image=pending_photo, viewer_id=pending_photo.owner_id))
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert response["Cache-Control"] == "private, max-age=300"


def test_approved_image_url_works_only_for_its_viewer_and_only_until_it_expires(client, pending_photo, settings):
    moderation_images.image_moderate(image_id=pending_photo.pk)
    viewer, eavesdropper = make_user(), make_user()
    for moderator in (viewer, eavesdropper):
        moderator.is_staff = True
        moderator.save(update_fields=["is_staff"])
    url = image_signed_url(image=pending_photo, viewer_id=viewer.pk)

    client.force_login(viewer)
    assert client.get(url).status_code == 200
    client.force_login(eavesdropper)
    assert client.get(url).status_code == 404
    # A student never gets a profile photo this way, even by a URL made for them (only accounts:photo)
    student = make_profile().user
    client.force_login(student)
    assert client.get(image_signed_url(image=pending_photo, viewer_id=student.pk)).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404

    client.force_login(viewer)
    old_token = signing.dumps({"image": pending_photo.pk, "viewer": viewer.pk}, salt=SIGNING_SALT, compress=True)
    settings.MEDIA_URL_EXPIRE_S = 1
    time.sleep(1.1)
    assert client.get(f"/safety/images/{old_token}/").status_code == 404
    assert client.get("/safety/images/forged-token/").status_code == 404


def test_chat_image_is_visible_only_to_room_members_once_approved(client, media_root):
    sender, partner, outsider = make_profile().user, make_profile().user, make_profile().user
    room = Room.objects.create(kind=RoomKind.DIRECT)
    RoomMember.objects.create(room=room, user=sender)
    RoomMember.objects.create(room=room, user=partner)
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from apps.moderation.tests.conftest import jpeg_bytes

    name = default_storage.save("chat/test.jpg", ContentFile(jpeg_bytes()))
    image = moderation_images.image_submit(owner=sender, purpose="chat_image", storage_name=name, room_id=room.pk)
    client.force_login(partner)
    assert client.get(image_signed_url(image=image, viewer_id=partner.pk)).status_code == 404

    moderation_images.image_moderate(image_id=image.pk)

    assert client.get(image_signed_url(image=image, viewer_id=partner.pk)).status_code == 200
    client.force_login(outsider)
    assert client.get(image_signed_url(image=image, viewer_id=outsider.pk)).status_code == 404


def test_report_api_creates_and_blocks_and_returns_clear_errors(client):
    reporter, reported, stranger = make_profile().user, make_profile().user, make_profile().user
    client.force_login(reporter)

    response = client.post(
        "/api/v1/safety/reports/",
        {"reported_user_id": reported.pk, "reason": "harassment", "text": "욕설", "block": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["blocked"] is True

    response = client.post(
        "/api/v1/safety/reports/", {"reported_user_id": reported.pk, "reason": "spam"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "duplicate_report")

    room = Room.objects.create(kind=RoomKind.DIRECT)
    RoomMember.objects.create(room=room, user=stranger)
    response = client.post(
        "/api/v1/safety/reports/",
        {"reported_user_id": stranger.pk, "reason": "spam", "room_id": room.pk},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "not_room_member")

    response = client.post("/api/v1/safety/reports/", {"reported_user_id": "x"}, content_type="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")

    response = client.post("/api/v1/safety/blocks/", {"user_id": reporter.pk}, content_type="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "cannot_block_self")
    assert Report.objects.count() == 1


def test_hidden_words_page_adds_and_removes(client):
    user = make_profile().user
    client.force_login(user)

    client.post("/safety/", {"word": "술"})
    assert "술" in client.get("/safety/").content.decode()
    client.post("/safety/", {"word": "술", "remove": "1"})
    assert client.get("/api/v1/safety/hidden-words/").json() == {"words": []}


@pytest.fixture
def moderator_client(client):
    moderator = make_user(email="mod@example.com")
    moderator.is_staff = True
    moderator.is_superuser = True
    moderator.save()
    client.force_login(moderator)
    return client, moderator


def test_admin_queue_lists_pending_items_and_actions_need_a_reason(moderator_client, pending_photo):
    client, moderator = moderator_client
    reporter, reported = make_profile().user, make_profile().user
    moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="spam")
    moderation_text.message_text_screen(sender_id=reported.pk, room_id=1, text="병신")

    for url in ("/admin/moderation/moderatedimage/", "/admin/moderation/report/", "/admin/moderation/flaggedcontent/"):
        assert client.get(url).status_code == 200

    response = client.post(
        "/admin/moderation/moderatedimage/",
        {"action": "approve", "_selected_action": [pending_photo.pk], "reason": ""},
        follow=True,
    )
    assert ModeratedImage.objects.get().status == ImageStatus.PENDING
    assert "reason" in response.content.decode().lower() or "사유" in response.content.decode()

    client.post(
        "/admin/moderation/moderatedimage/",
        {"action": "approve", "_selected_action": [pending_photo.pk], "reason": "Looks fine"},
    )
    assert ModeratedImage.objects.get().status == ImageStatus.APPROVED
    entry = ModerationAction.objects.get(action="image_approved")
    assert (entry.actor_id, entry.reason) == (moderator.pk, "Looks fine")

    report = Report.objects.get()
    client.post("/admin/moderation/report/", {"action": "suspend", "_selected_action": [report.pk], "reason": "Spam links"})
    report.refresh_from_db()
    assert report.status == "actioned"
    assert reported.standing.standing == "suspended"
    assert client.get("/admin/moderation/moderationaction/").status_code == 200
    assert client.get(f"/admin/moderation/moderationaction/{entry.pk}/delete/").status_code == 403


def test_approved_profile_photo_is_for_signed_in_students_and_never_across_a_block(client, pending_photo):
    moderation_images.image_moderate(image_id=pending_photo.pk)
    url = profile_photo_url(profile=pending_photo.owner.profile)
    viewer = make_profile().user

    assert client.get(url)["Location"].endswith("accounts/placeholder.svg")
    client.force_login(viewer)
    assert client.get(url).status_code == 200

    moderation_blocks.block_create(blocker=pending_photo.owner, blocked_user_id=viewer.pk)

    assert client.get(url)["Location"].endswith("accounts/placeholder.svg")
