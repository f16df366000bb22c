"""What chat does for moderation, registered on moderation's hooks (ChatConfig.ready), and
the chat image upload: a block ends the pair's rooms, an approved image becomes a message,
a report snapshots its conversation, a chat image is visible to the room's members."""

import logging
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.images import process_uploaded_image
from apps.accounts.models import User
from apps.chat import batch as chat_batch
from apps.chat import events, permissions
from apps.chat import rooms as chat_rooms
from apps.chat.models import Message, MessageKind, Room, RoomKind, RoomMember
from apps.chat.protocol import ErrorCode
from apps.core.errors import DomainError
from apps.moderation import images as moderation_images
from apps.moderation.models import ImagePurpose, ImageStatus, ModeratedImage
from apps.moderation.selectors import block_exists_between

logger = logging.getLogger(__name__)


def on_block_created(*, blocker_id: int, blocked_id: int) -> None:
    chat_rooms.rooms_close_between(user_id=blocker_id, other_user_id=blocked_id)


def on_image_decided(*, image: ModeratedImage) -> None:
    """Approved: the image becomes a message of the room. Rejected: only its sender hears so."""
    if image.purpose != ImagePurpose.CHAT_IMAGE:
        return
    status = image.status
    if status == ImageStatus.APPROVED:
        try:
            chat_batch.message_send(
                sender_id=image.owner_id,
                room_id=image.room_id,
                client_msg_id=f"image-{image.pk}",
                body=str(image.key),
                kind=MessageKind.IMAGE,
            )
        except DomainError as error:
            # The chat ended (or a block came) while the image waited: nothing to deliver.
            logger.info("chat image %s not delivered: %s", image.pk, error.code)
            status = "undeliverable"
    if status in (ImageStatus.APPROVED, ImageStatus.NEEDS_REVIEW):
        return
    events.chat_image_refused(owner_id=image.owner_id, room_id=image.room_id, image_id=image.pk, status=status)


def chat_image_upload(*, sender: User, room_id: int, upload) -> ModeratedImage:
    """Store an image for a 1:1 room privately and queue its moderation; it is sent once approved."""
    room = Room.objects.filter(pk=room_id).first()
    member_ids = set(RoomMember.objects.filter(room_id=room_id).values_list("user_id", flat=True))
    is_member = room is not None and sender.pk in member_ids
    if is_member and room.kind != RoomKind.DIRECT:
        raise DomainError(ErrorCode.IMAGES_DIRECT_ONLY, _("Images can only be sent in 1:1 chats."), http_status=403)
    refusal = permissions.post_refusal(
        kind=room.kind if room else None,
        is_member=is_member,
        is_open=bool(room and room.is_open),
        is_archived=bool(room and room.archived_at),
        members_can_post=bool(room and room.members_can_post),
        is_staff=sender.is_staff,
        blocked=lambda: any(block_exists_between(user_id=sender.pk, other_user_id=other) for other in member_ids - {sender.pk}),
    )
    if refusal is not None:
        raise refusal
    moderation_images.upload_rate_limit_hit(user_id=sender.pk)
    processed = process_uploaded_image(upload)
    with transaction.atomic():
        storage_name = default_storage.save(f"chat/{room_id}/{uuid.uuid4().hex}.jpg", processed)
        return moderation_images.image_submit(
            owner=sender, purpose=ImagePurpose.CHAT_IMAGE, storage_name=storage_name, room_id=room_id
        )


def report_room_evidence(*, reporter_id: int, reported_user_id: int, room_id: int, message_seq: int | None) -> dict:
    """Check the reporter may speak about this room/message and snapshot what they saw."""
    member_ids = set(RoomMember.objects.filter(room_id=room_id).values_list("user_id", flat=True))
    if reporter_id not in member_ids:
        raise DomainError(ErrorCode.NOT_ROOM_MEMBER, _("You can only report chats you are part of."), http_status=403)
    if reported_user_id not in member_ids:
        raise DomainError(ErrorCode.USER_NOT_IN_ROOM, _("This person is not in that chat."), field="reported_user_id")
    if (
        message_seq is not None
        and not Message.objects.filter(room_id=room_id, seq=message_seq, sender_id=reported_user_id).exists()
    ):
        raise DomainError(
            ErrorCode.MESSAGE_NOT_FOUND, _("That message is not in this chat or was not sent by this person."), http_status=404
        )
    return {"room_id": room_id, "members": sorted(member_ids), "messages": _messages_around(room_id, message_seq)}


def _messages_around(room_id: int, message_seq: int | None) -> list[dict]:
    """The reported message with the conversation around it (or the latest messages)."""
    window = settings.MODERATION_EVIDENCE_MESSAGES
    query = Message.objects.filter(room_id=room_id)
    if message_seq is not None:
        query = query.filter(seq__gte=message_seq - window, seq__lte=message_seq + window)
    rows = reversed(list(query.order_by("-seq").values("seq", "sender_id", "kind", "body", "sent_at")[: 2 * window + 1]))
    return [{**row, "sent_at": row["sent_at"].isoformat()} for row in rows]


def room_event_id(*, room_id: int) -> int | None:
    return Room.objects.filter(pk=room_id).values_list("event_id", flat=True).first()


def room_has_member(*, room_id: int, user_id: int) -> bool:
    return RoomMember.objects.filter(room_id=room_id, user_id=user_id).exists()


def account_export_sections(*, user: User) -> dict:
    """The chat part of an account's data export: the messages the user sent."""
    messages = Message.objects.filter(sender=user).order_by("room_id", "seq").values("room_id", "seq", "kind", "body", "sent_at")
    return {"messages_sent": [{**message, "sent_at": message["sent_at"].isoformat()} for message in messages]}


def on_account_deleting(*, user_id: int) -> None:
    chat_rooms.messages_erase_for_deleted_user(user_id=user_id)


def on_profile_changed(*, user_id: int) -> None:
    chat_rooms.profile_changed_notify(user_id=user_id)
