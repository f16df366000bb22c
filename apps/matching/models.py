from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MatchStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Match(models.Model):
    """Two users who both said yes to a proposal; made once per proposal (idempotent)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="matches")
    proposal_id = models.BigIntegerField(_("proposal id"), unique=True)
    # user_a < user_b, so a pair has exactly one spelling and can be unique per event.
    user_a = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    user_b = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey("chat.Room", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(user_a__lt=F("user_b")), name="match_users_ordered"),
            models.UniqueConstraint(fields=["event", "user_a", "user_b"], name="match_pair_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.user_a_id} ♥ {self.user_b_id} @ {self.event_id}"


class MatchSeat(models.Model):
    """One row per user of a match: lets the database forbid two ACTIVE matches per user per event."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="seats")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_seats")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "user"], name="match_seat_unique"),
            models.UniqueConstraint(
                fields=["event", "user"], condition=Q(is_active=True), name="match_seat_one_active_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in match {self.match_id}"


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

    seq = models.BigIntegerField(unique=True)
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=TicketEventKind.choices)
    detail = models.CharField(max_length=20, blank=True)
    proposal_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("ticket history entry")
        verbose_name_plural = _("ticket history")
        ordering = ["seq"]
        indexes = [models.Index(fields=["event", "user", "at"], name="ticket_event_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} @ {self.at:%H:%M:%S}"
