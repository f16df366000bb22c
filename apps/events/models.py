import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    allow_same_university = models.BooleanField(_("allow matches within the same university"), default=True)
    accept_timeout_s = models.PositiveSmallIntegerField(_("seconds to accept a proposal"), default=20)
    max_wait_s = models.PositiveIntegerField(_("longest wait in the queue (seconds)"), default=300)
    created_at = models.DateTimeField(auto_now_add=True)

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

    def region_list(self) -> list[str]:
        return [code for code in self.regions if code in Region.values]

    def embed_origin_list(self) -> list[str]:
        return [line.strip() for line in self.embed_origins.splitlines() if line.strip()]


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
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
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

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

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminder_deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_reminders")
    kind = models.CharField(max_length=3, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user", "kind"], name="reminder_delivery_once")]

    def __str__(self) -> str:
        return f"{self.kind} reminder of {self.event_id} to {self.user_id}"


class CalendarFeed(models.Model):
    """A user's private calendar feed; resetting the token revokes every copy of the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
