"""Speed-dating rounds: check-ins, rounds, who sat where, and the answers after each round.

The database holds the invariants: a round starts once per (event, number); a student has
one seat per round; a pair meets at most once per event.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _


class CheckIn(models.Model):
    """A student who pressed "참가": seated at the next round start while a socket is open."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+", verbose_name=_("event"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    checked_in_at = models.DateTimeField(auto_now_add=True, verbose_name=_("checked in at"))

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="rounds_checkin_once")]

    def __str__(self) -> str:
        return _("user #%(user)s checked in to event #%(event)s") % {"user": self.user_id, "event": self.event_id}


class RoundPhase(models.TextChoices):
    TALKING = "talking", _("Talking")
    ANSWERING = "answering", _("Answering")
    DONE = "done", _("Done")


class Round(models.Model):
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="rounds", verbose_name=_("event"))
    number = models.PositiveSmallIntegerField(_("round"))
    phase = models.CharField(_("phase"), max_length=10, choices=RoundPhase.choices, default=RoundPhase.TALKING)
    started_at = models.DateTimeField(verbose_name=_("started at"))
    talk_ends_at = models.DateTimeField(verbose_name=_("talk ends at"))
    break_ends_at = models.DateTimeField(verbose_name=_("break ends at"))
    # The organizer console (apps/rounds/console.py): a paused round's clock stands still, and
    # every change of its state bumps `version` so two staff pressing at once do one thing.
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["event", "number"]
        constraints = [
            # The seating task's idempotency: a retried or duplicated task cannot start it twice.
            models.UniqueConstraint(fields=["event", "number"], name="rounds_round_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="rounds_round_number_positive"),
            models.CheckConstraint(condition=Q(talk_ends_at__gt=F("started_at")), name="rounds_talk_after_start"),
            models.CheckConstraint(condition=Q(break_ends_at__gt=F("talk_ends_at")), name="rounds_break_after_talk"),
        ]

    def __str__(self) -> str:
        return _("round %(number)s of event #%(event)s") % {"number": self.number, "event": self.event_id}


class RoundPair(models.Model):
    """Two students seated together; user_a < user_b so the pair is spelled once per event."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("round"))
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+", verbose_name=_("event"))
    user_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("first person")
    )
    user_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("second person")
    )
    room = models.ForeignKey("chat.Room", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("chat room"))
    match = models.ForeignKey(
        "matching.Match", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("match")
    )

    class Meta:
        verbose_name = _("round pair")
        verbose_name_plural = _("round pairs")
        constraints = [
            models.CheckConstraint(condition=Q(user_a__lt=F("user_b")), name="rounds_pair_ordered"),
            models.UniqueConstraint(fields=["event", "user_a", "user_b"], name="rounds_pair_once_per_event"),
        ]

    def __str__(self) -> str:
        return _("users #%(a)s and #%(b)s in round #%(round)s") % {
            "a": self.user_a_id,
            "b": self.user_b_id,
            "round": self.round_id,
        }


class Answer(models.TextChoices):
    YES = "yes", _("I’d like to meet again")
    NO = "no", _("Not this time")


class RoundSeat(models.Model):
    """One row per checked-in student per round: seated in `pair`, or sat out when it is empty."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="seats", verbose_name=_("round"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    pair = models.ForeignKey(
        RoundPair, on_delete=models.CASCADE, null=True, blank=True, related_name="seats", verbose_name=_("pair")
    )
    answer = models.CharField(max_length=3, choices=Answer.choices, blank=True, verbose_name=_("answer"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))

    class Meta:
        verbose_name = _("round seat")
        verbose_name_plural = _("round seats")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="rounds_one_seat_per_round"),
            models.CheckConstraint(condition=Q(answer__in=["", "yes", "no"]), name="rounds_answer_valid"),
            models.CheckConstraint(condition=Q(pair__isnull=False) | Q(answer=""), name="rounds_sitout_no_answer"),
        ]
        indexes = [models.Index(fields=["user", "round"], name="rounds_seat_user_idx")]

    def __str__(self) -> str:
        return _("user #%(user)s in round #%(round)s") % {"user": self.user_id, "round": self.round_id}


class ConsoleActionKind(models.TextChoices):
    PAUSE = "pause", _("Pause")
    RESUME = "resume", _("Resume")
    EXTEND = "extend", _("Extend by a minute")
    SKIP = "skip", _("Skip to the break")
    END = "end", _("End the event")


class ConsoleAction(models.Model):
    """The audit log of the organizer console: who pressed what, when, and the state before and after.

    Refused presses are kept too (`error` holds the code), so a disputed evening can be replayed.
    """

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+", verbose_name=_("event"))
    round = models.ForeignKey(Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("round"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    action = models.CharField(_("action"), max_length=10, choices=ConsoleActionKind.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    before = models.JSONField(_("state before"), default=dict)
    after = models.JSONField(_("state after"), default=dict, blank=True)
    error = models.CharField(_("refused with"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("console action")
        verbose_name_plural = _("console actions")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["event", "at"], name="rounds_console_event_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["pause", "resume", "extend", "skip", "end"]), name="rounds_console_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return _("%(action)s at %(when)s") % {
            "action": self.get_action_display(),
            "when": date_format(localtime(self.at), "DATETIME_FORMAT") if self.at else "—",
        }
