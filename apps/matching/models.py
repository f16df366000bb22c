from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MatchStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Match(models.Model):
    """Two users who both said yes to a proposal; made once per proposal (idempotent)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="matches", verbose_name=_("event"))
    proposal_id = models.BigIntegerField(_("proposal id"), unique=True)
    # user_a < user_b, so a pair has exactly one spelling and can be unique per event.
    user_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("first person")
    )
    user_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("second person")
    )
    room = models.ForeignKey(
        "chat.Room", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("chat room")
    )
    status = models.CharField(_("status"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("matched at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(user_a__lt=F("user_b")), name="match_users_ordered"),
            models.UniqueConstraint(fields=["event", "user_a", "user_b"], name="match_pair_once_per_event"),
        ]

    def __str__(self) -> str:
        return _("match #%(match)s: users #%(a)s and #%(b)s") % {"match": self.pk, "a": self.user_a_id, "b": self.user_b_id}


class MatchSeat(models.Model):
    """One row per user of a match: lets the database forbid two ACTIVE matches per user per event."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="seats", verbose_name=_("match"))
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_seats", verbose_name=_("user")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("match seat")
        verbose_name_plural = _("match seats")
        constraints = [
            models.UniqueConstraint(fields=["match", "user"], name="match_seat_unique"),
            models.UniqueConstraint(
                fields=["event", "user"], condition=Q(is_active=True), name="match_seat_one_active_per_event"
            ),
        ]

    def __str__(self) -> str:
        return _("user #%(user)s in match #%(match)s") % {"user": self.user_id, "match": self.match_id}


class QueueTicket(models.Model):
    """PostgreSQL's copy of a live queue ticket: who waits in which event, since when, and the snapshot.

    Written in the same transaction as the Redis enqueue and deleted by every service that takes
    the ticket out (the Match transaction for a match), so when Redis loses its state the engine
    knows exactly whom to restore, at which place (docs/matching.md, "Losing Redis").
    """

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+", verbose_name=_("event"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    joined_at = models.DateTimeField(verbose_name=_("joined at"))
    snapshot = models.JSONField(verbose_name=_("snapshot"))

    class Meta:
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        ordering = ["joined_at"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="queue_ticket_once_per_event")]

    def __str__(self) -> str:
        return _("user #%(user)s waiting in event #%(event)s") % {"user": self.user_id, "event": self.event_id}


class QueueEpochCause(models.TextChoices):
    FIRST = "first", _("First start")
    LOST = "lost", _("Redis lost the queue")
    BEHIND = "behind", _("Redis went back in time")


class QueueEpoch(models.Model):
    """One lifetime of the queue state in Redis; a new one starts whenever that state was lost.

    Its id seeds the proposal and history counters (id x 2**32), so no id of an earlier epoch
    can ever be issued again, whatever Redis forgot.
    """

    cause = models.CharField(max_length=10, choices=QueueEpochCause.choices, verbose_name=_("cause"))
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started at"))
    restored_at = models.DateTimeField(null=True, blank=True, verbose_name=_("restored at"))
    restored = models.PositiveIntegerField(default=0, verbose_name=_("tickets restored"))
    told = models.PositiveIntegerField(default=0, verbose_name=_("students told"))

    class Meta:
        verbose_name = _("queue epoch")
        verbose_name_plural = _("queue epochs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"epoch {self.pk} ({self.cause})"


class TicketEventKind(models.TextChoices):
    JOINED = "joined", _("Joined the queue")
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    TIMED_OUT = "timed_out", _("Timed out")
    REQUEUED = "requeued", _("Back in the queue")
    LEFT = "left", _("Left")
    MATCHED = "matched", _("Matched")


class TicketEvent(models.Model):
    """Audit trail of a queue ticket, written in bulk from Redis off the hot path.

    `seq` is assigned atomically in Redis when the event happens, so re-flushing after a
    crash inserts nothing twice.
    """

    seq = models.BigIntegerField(unique=True, verbose_name=_("number"))
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+", verbose_name=_("event"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    kind = models.CharField(max_length=10, choices=TicketEventKind.choices, verbose_name=_("kind"))
    detail = models.CharField(max_length=20, blank=True, verbose_name=_("detail"))
    proposal_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("proposal"))
    at = models.DateTimeField(verbose_name=_("at"))

    class Meta:
        verbose_name = _("ticket history entry")
        verbose_name_plural = _("ticket history")
        ordering = ["seq"]
        indexes = [models.Index(fields=["event", "user", "at"], name="ticket_event_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} @ {self.at:%H:%M:%S}"
