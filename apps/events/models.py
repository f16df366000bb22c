import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import Region, University


class EventState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")


class StateOverride(models.TextChoices):
    """Staff can open an event early or close it at once; otherwise the clock decides."""

    AUTOMATIC = "", _("Automatic (by time)")
    LIVE = "live", _("Force live")
    ENDED = "ended", _("Force ended")


# Paths under /events/ that are not event pages, so no slug may take them.
RESERVED_SLUGS = frozenset({"mine", "calendar", "signups", "new"})
slug_validator = RegexValidator(
    r"^(?!\d+$)[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lowercase letters, digits and single hyphens, not only digits (e.g. seoul-campus-night-2026)."),
)


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved by the site; choose another."))


def event_slug_default() -> str:
    """A unique placeholder address until staff give the event a readable one."""
    return f"event-{secrets.token_hex(4)}"


class EventFormat(models.TextChoices):
    QUEUE = "queue", _("Live queue")
    ROUNDS = "rounds", _("Speed-dating rounds")


class RevealTiming(models.TextChoices):
    EACH_ROUND = "each_round", _("After each round")
    AT_END = "at_end", _("At the end of the event")


class Event(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        default=event_slug_default,
        validators=[slug_validator, validate_slug_not_reserved],
        help_text=_("The public page is /events/<address>/."),
    )
    description = models.TextField(_("description"), blank=True)
    nationwide = models.BooleanField(_("nationwide"), default=True, help_text=_("Open to every university and region."))
    regions = models.JSONField(_("regions"), default=list, blank=True, help_text=_("Region codes allowed when not nationwide."))
    universities = models.ManyToManyField(University, blank=True, related_name="events", verbose_name=_("universities"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    state_override = models.CharField(
        _("state override"), max_length=10, choices=StateOverride.choices, default=StateOverride.AUTOMATIC, blank=True
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Most people in the event at once; empty means no limit.")
    )
    signup_capacity = models.PositiveIntegerField(
        _("sign-up places"),
        null=True,
        blank=True,
        help_text=_("Sign-ups accepted in advance; later ones join the waitlist. Empty means no limit."),
    )
    embed_origins = models.TextField(
        _("sites allowed to embed the widget"),
        blank=True,
        help_text=_("One origin per line, e.g. https://council.example.ac.kr"),
    )
    rules = models.TextField(_("rules"), blank=True)
    require_verified = models.BooleanField(_("university verification required"), default=False)
    require_identity = models.BooleanField(
        _("identity check required"), default=False, help_text=_("Only students who passed the identity check may join.")
    )
    allow_same_university = models.BooleanField(_("allow matches within the same university"), default=True)
    accept_timeout_s = models.PositiveSmallIntegerField(_("seconds to accept a proposal"), default=20)
    max_wait_s = models.PositiveIntegerField(_("longest wait in the queue (seconds)"), default=300)
    format = models.CharField(_("format"), max_length=10, choices=EventFormat.choices, default=EventFormat.QUEUE)
    # Rounds format (apps/rounds): the event clock starts round 1 at `starts_at` + check-in window.
    rounds_count = models.PositiveSmallIntegerField(_("number of rounds"), default=5)
    round_minutes = models.PositiveSmallIntegerField(_("minutes per round"), default=5)
    break_s = models.PositiveSmallIntegerField(_("break between rounds (seconds)"), default=60)
    checkin_window_s = models.PositiveIntegerField(_("check-in window before round 1 (seconds)"), default=600)
    reveal = models.CharField(
        _("reveal mutual yeses"), max_length=12, choices=RevealTiming.choices, default=RevealTiming.EACH_ROUND
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(accept_timeout_s__gte=5) & Q(accept_timeout_s__lte=300), name="event_accept_timeout_range"
            ),
            models.CheckConstraint(condition=Q(max_wait_s__gte=30), name="event_max_wait_min"),
            models.CheckConstraint(condition=Q(format__in=["queue", "rounds"]), name="event_format_valid"),
            models.CheckConstraint(
                condition=Q(rounds_count__gte=1) & Q(rounds_count__lte=30),
                name="event_rounds_count_range",
                violation_error_message=_("An event has 1 to 30 rounds."),
            ),
            models.CheckConstraint(
                condition=Q(round_minutes__gte=2) & Q(round_minutes__lte=15),
                name="event_round_minutes_range",
                violation_error_message=_("A round lasts 2 to 15 minutes."),
            ),
            models.CheckConstraint(
                condition=Q(break_s__gte=15) & Q(break_s__lte=900),
                name="event_break_s_range",
                violation_error_message=_("A break lasts 15 to 900 seconds."),
            ),
            models.CheckConstraint(
                condition=Q(checkin_window_s__gte=60) & Q(checkin_window_s__lte=7200),
                name="event_checkin_window_range",
                violation_error_message=_("The check-in window is 60 to 7,200 seconds."),
            ),
            models.CheckConstraint(condition=Q(reveal__in=["each_round", "at_end"]), name="event_reveal_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def state(self) -> str:
        if self.state_override:
            return self.state_override
        now = timezone.now()
        if now < self.starts_at:
            return EventState.SCHEDULED
        if now < self.ends_at:
            return EventState.LIVE
        return EventState.ENDED

    @property
    def state_label(self) -> str:
        return EventState(self.state).label

    @property
    def is_live(self) -> bool:
        return self.state == EventState.LIVE

    @property
    def is_rounds(self) -> bool:
        return self.format == EventFormat.ROUNDS

    def region_list(self) -> list[str]:
        return [code for code in self.regions if code in Region.values]

    def embed_origin_list(self) -> list[str]:
        return [line.strip() for line in self.embed_origins.splitlines() if line.strip()]


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("sign-up status", "Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")


class EventSignup(models.Model):
    """A student's advance sign-up; the waitlist is ordered by `waitlisted_at`, then id."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signups", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_signups", verbose_name=_("user")
    )
    status = models.CharField(_("status"), max_length=10, choices=SignupStatus.choices)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("waitlisted at"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], condition=~Q(status="cancelled"), name="event_signup_one_active_per_user"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waitlisted", "cancelled"]), name="event_signup_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "waitlisted_at"], name="event_signup_waitlist_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.event_id} ({self.status})"


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "24h", _("24 hours before")
    MINUTES_BEFORE = "10m", _("10 minutes before")


class ReminderDelivery(models.Model):
    """One row per reminder sent: the unique constraint makes a second beat run a no-op."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminder_deliveries", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_reminders", verbose_name=_("user")
    )
    kind = models.CharField(max_length=3, choices=ReminderKind.choices, verbose_name=_("kind"))
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["event", "user", "kind"], name="reminder_delivery_once")]

    def __str__(self) -> str:
        return _("reminder of event #%(event)s to user #%(user)s") % {"event": self.event_id, "user": self.user_id}


class CalendarFeed(models.Model):
    """A user's private calendar feed; resetting the token revokes every copy of the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("user")
    )
    token = models.CharField(max_length=64, unique=True, verbose_name=_("token"))
    created_at = models.DateTimeField(auto_now=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return _("calendar feed of user #%(user)s") % {"user": self.user_id}
