from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RoomKind(models.TextChoices):
    DIRECT = "direct", _("1:1 chat")
    LOBBY = "lobby", _("Event lobby")


class Room(models.Model):
    kind = models.CharField(max_length=10, choices=RoomKind.choices, verbose_name=_("kind"))
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="rooms", verbose_name=_("event")
    )
    is_open = models.BooleanField(default=True, verbose_name=_("open"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    # Set when the room closed because nobody wrote for CHAT_IDLE_ARCHIVE_DAYS (apps.chat.archive):
    # members still read it under "보관된 대화", and nobody can write in it.
    archived_at = models.DateTimeField(null=True, blank=True, verbose_name=_("archived at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # The last seq handed out; bumped with UPDATE … RETURNING in the sending transaction,
    # so a rolled-back send gives its number back and the sequence stays gapless.
    last_seq = models.PositiveBigIntegerField(default=0, verbose_name=_("last message number"))
    # Lobby rooms: staff always post announcements; members may post only when the event
    # runs an open chat.
    members_can_post = models.BooleanField(_("open chat for members"), default=False)
    # Contact details are masked in this room (a speed-dating round before a mutual yes);
    # lobby rooms are always guarded.
    contact_guard = models.BooleanField(_("mask contact details"), default=False)

    class Meta:
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")
        constraints = [
            models.UniqueConstraint(fields=["event"], condition=Q(kind="lobby"), name="room_one_lobby_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class RoomMember(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members", verbose_name=_("chat room"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_memberships", verbose_name=_("user")
    )
    last_read_seq = models.PositiveBigIntegerField(default=0, verbose_name=_("read up to message"))
    joined_at = models.DateTimeField(auto_now_add=True, verbose_name=_("joined at"))

    class Meta:
        verbose_name = _("chat room member")
        verbose_name_plural = _("chat room members")
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="room_member_unique")]
        # Per-message unread counts in lobbies count members whose pointer is below a seq.
        indexes = [models.Index(fields=["room", "last_read_seq"], name="room_member_read_idx")]

    def __str__(self) -> str:
        return _("user #%(user)s in chat room #%(room)s") % {"user": self.user_id, "room": self.room_id}


class MessageKind(models.TextChoices):
    TEXT = "text", _("Message")
    ANNOUNCEMENT = "announcement", _("Announcement")
    # An approved chat image; the body holds the moderation image id (apps.moderation).
    IMAGE = "image", _("Image")


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages", verbose_name=_("chat room"))
    seq = models.PositiveBigIntegerField(verbose_name=_("message number"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages", verbose_name=_("sender")
    )
    client_msg_id = models.CharField(max_length=64, verbose_name=_("client message id"))
    kind = models.CharField(max_length=20, choices=MessageKind.choices, default=MessageKind.TEXT, verbose_name=_("kind"))
    body = models.TextField(verbose_name=_("text"))
    sent_at = models.DateTimeField(verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="message_room_seq_unique"),
            models.UniqueConstraint(fields=["room", "sender", "client_msg_id"], name="message_idempotency_key"),
        ]

    def __str__(self) -> str:
        return _("message %(seq)s in chat room #%(room)s") % {"seq": self.seq, "room": self.room_id}


class ChatPreference(models.Model):
    """Per-user chat state of the offline digest (whether it is wanted: accounts.notifications)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_preference", verbose_name=_("user")
    )
    # Everything up to this moment has been summarised (or was seen), so no digest repeats it.
    digest_covered_until = models.DateTimeField(null=True, blank=True, verbose_name=_("digest covers up to"))

    class Meta:
        verbose_name = _("chat setting")
        verbose_name_plural = _("chat settings")

    def __str__(self) -> str:
        return _("chat settings of user #%(user)s") % {"user": self.user_id}
