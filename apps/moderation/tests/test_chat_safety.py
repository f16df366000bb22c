"""Safety inside chat: message screening, report evidence, chat images, account deletion."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts import privacy
from apps.accounts.tests.factories import PASSWORD, make_profile
from apps.chat import batch as chat_batch
from apps.chat import rooms as chat_rooms
from apps.chat import safety
from apps.chat import selectors as chat_selectors
from apps.chat.models import Message, Room
from apps.chat.tests.factories import make_pair
from apps.core.errors import DomainError
from apps.moderation import images as moderation_images
from apps.moderation import reports as moderation_reports
from apps.moderation.models import FlaggedContent, ImageStatus, ModeratedImage, ReportEvidence
from apps.moderation.tests.conftest import jpeg_upload

pytestmark = pytest.mark.django_db


def send(user, room, body: str, cmid: str):
    return chat_batch.message_send(sender_id=user.pk, room_id=room.pk, client_msg_id=cmid, body=body)


def test_abusive_chat_text_is_masked_and_the_flag_points_at_the_message(settings):
    settings.MODERATION_CHAT_TEXT_ACTION = "mask"
    alice, bob, room = make_pair()

    result = send(alice, room, "병신 같은 소리 하지 마", "m1")

    assert Message.objects.get(room=room, seq=result.seq).body == "** 같은 소리 하지 마"
    flag = FlaggedContent.objects.get()
    assert (flag.user_id, flag.room_id, flag.message_seq, flag.text) == (alice.pk, room.pk, 1, "병신 같은 소리 하지 마")


def test_abusive_chat_text_is_refused_in_block_mode_and_the_flag_stays(settings):
    settings.MODERATION_CHAT_TEXT_ACTION = "block"
    alice, bob, room = make_pair()

    with pytest.raises(DomainError) as error:
        send(alice, room, "fuck you", "m1")

    assert error.value.code == "message_blocked"
    assert Message.objects.count() == 0
    assert FlaggedContent.objects.get().action == "block"


def test_report_of_a_message_snapshots_the_conversation_around_it(settings):
    settings.MODERATION_EVIDENCE_MESSAGES = 1
    alice, bob, room = make_pair()
    for index, (user, body) in enumerate([(alice, "안녕"), (bob, "뭐야 꺼져"), (alice, "왜 그래요"), (bob, "ㅋㅋ")], start=1):
        send(user, room, body, f"m{index}")

    report = moderation_reports.report_create(
        reporter=alice, reported_user_id=bob.pk, reason="harassment", room_id=room.pk, message_seq=2
    )

    messages = ReportEvidence.objects.get(report=report).snapshot["messages"]
    assert [(m["seq"], m["sender_id"], m["body"]) for m in messages] == [
        (1, alice.pk, "안녕"),
        (2, bob.pk, "뭐야 **"),
        (3, alice.pk, "왜 그래요"),
    ]
    with pytest.raises(DomainError) as error:
        moderation_reports.report_create(reporter=alice, reported_user_id=bob.pk, reason="spam", room_id=room.pk, message_seq=3)
    assert error.value.code == "message_not_found"


def test_deleted_account_leaves_a_gapless_history_from_a_deleted_user(sent_frames):
    alice, bob, room = make_pair()
    send(alice, room, "안녕하세요", "m1")
    send(bob, room, "반가워요", "m2")
    assert [m["body"] for m in privacy.account_export(user=bob)["messages_sent"]] == ["반가워요"]

    with sent_frames():
        privacy.account_delete(user=bob, password=PASSWORD)

    history = chat_selectors.message_history(user_id=alice.pk, room_id=room.pk, before_seq=None, limit=50)
    assert [(m["seq"], m["body"]) for m in history["messages"]] == [(1, "안녕하세요"), (2, "")]
    assert Room.objects.get(pk=room.pk).is_open is False
    assert chat_selectors.room_view_for_user(user_id=alice.pk, room_id=room.pk)["title"] == "탈퇴한 사용자"
    assert any(frame["type"] == "room.closed" for _groups, frame in sent_frames)


def test_chat_image_is_delivered_as_a_message_once_approved(media_root, client):
    alice, bob, room = make_pair()
    image = safety.chat_image_upload(sender=alice, room_id=room.pk, upload=jpeg_upload())
    assert image.status == ImageStatus.PENDING
    assert Message.objects.count() == 0

    moderation_images.image_moderate(image_id=image.pk)

    message = Message.objects.get()
    assert (message.kind, message.body, message.sender_id) == ("image", str(image.key), alice.pk)
    client.force_login(bob)
    response = client.get(f"/safety/chat-images/{image.key}/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    client.force_login(make_profile().user)
    assert client.get(f"/safety/chat-images/{image.key}/").status_code == 404


def test_rejected_chat_image_is_never_delivered_and_only_its_sender_is_told(media_root, settings, sent_frames):
    settings.MODERATION_IMAGE_THRESHOLDS = {"nudity": {"review": 0.0, "reject": 0.0}, "default": {"review": 0.5, "reject": 0.9}}
    alice, bob, room = make_pair()
    image = safety.chat_image_upload(sender=alice, room_id=room.pk, upload=jpeg_upload())

    with sent_frames():
        moderation_images.image_moderate(image_id=image.pk)

    assert Message.objects.count() == 0
    assert sent_frames == [
        ([f"user.{alice.pk}"], {"type": "chat.image", "room": room.pk, "image": image.pk, "status": "rejected"})
    ]


def test_chat_image_bad_input_stores_nothing(media_root, settings):
    alice, bob, room = make_pair()
    outsider = make_profile().user
    cases = [
        (alice, room.pk, SimpleUploadedFile("x.jpg", b"%PDF-1.4", content_type="image/jpeg"), "invalid_image"),
        (alice, room.pk, SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png"), "invalid_image"),
        (outsider, room.pk, jpeg_upload(), "not_member"),
        (alice, 999_999, jpeg_upload(), "not_member"),
    ]
    for sender, room_id, upload, code in cases:
        with pytest.raises(DomainError) as error:
            safety.chat_image_upload(sender=sender, room_id=room_id, upload=upload)
        assert error.value.code == code
    chat_rooms.room_close(room_id=room.pk)
    with pytest.raises(DomainError) as error:
        safety.chat_image_upload(sender=alice, room_id=room.pk, upload=jpeg_upload())
    assert error.value.code == "room_closed"
    assert ModeratedImage.objects.count() == 0
    assert not default_storage.exists("chat")


def test_chat_image_end_to_end_with_a_real_celery_worker(celery_worker_process):
    import time

    alice, bob, room = make_pair()

    image = safety.chat_image_upload(sender=alice, room_id=room.pk, upload=jpeg_upload())

    deadline = time.monotonic() + 30
    while not Message.objects.filter(room=room, kind="image").exists():
        assert time.monotonic() < deadline, "the approved image never became a message"
        time.sleep(0.1)
    message = Message.objects.get(room=room)
    assert (message.seq, message.sender_id, message.body) == (1, alice.pk, str(image.key))
    assert ModeratedImage.objects.get(pk=image.pk).status == ImageStatus.APPROVED
    default_storage.delete(image.storage_name)


def test_resending_a_flagged_message_keeps_one_flag_and_one_message(settings):
    settings.MODERATION_CHAT_TEXT_ACTION = "mask"
    alice, _bob, room = make_pair()

    first = send(alice, room, "병신 같은 소리 하지 마", "m1")
    again = send(alice, room, "병신 같은 소리 하지 마", "m1")

    assert (again.seq, again.duplicate) == (first.seq, True)
    assert Message.objects.filter(room=room).count() == 1
    flag = FlaggedContent.objects.get()
    assert (flag.message_seq, flag.text) == (first.seq, "병신 같은 소리 하지 마")
