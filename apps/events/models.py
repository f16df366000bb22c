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


class Event(models.Model):
    name = models.CharField(_("name"), max_length=120)
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
