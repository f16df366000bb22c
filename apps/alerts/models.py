from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.alerts.sources import SOURCES

LABEL_KEY_MAX = 40
LABEL_VALUE_MAX = 120


class Comparison(models.TextChoices):
    GT = "gt", ">"
    GTE = "gte", "≥"
    LT = "lt", "<"
    LTE = "lte", "≤"


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class AlertState(models.TextChoices):
    PENDING = "pending", _("Pending")
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")


def validate_labels(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Labels must be a JSON object of text keys and text values."))
    for key, item in value.items():
        if not isinstance(item, str) or not key or len(key) > LABEL_KEY_MAX or len(item) > LABEL_VALUE_MAX:
            raise ValidationError(
                _("Label %(key)s must map a key of at most %(kmax)d characters to a text value of at most %(vmax)d characters.")
                % {"key": str(key)[:LABEL_KEY_MAX], "kmax": LABEL_KEY_MAX, "vmax": LABEL_VALUE_MAX}
            )


class AlertRule(models.Model):
    """Fires while `metric <comparison> threshold` has held for `for_s` seconds.

    `metric` names a series source in `apps.alerts.sources` (e.g. one series per live event).
    """

    name = models.SlugField(_("name"), max_length=80, unique=True, help_text=_("Becomes the alertname label."))
    description = models.CharField(_("description"), max_length=300, blank=True)
    metric = models.CharField(_("metric"), max_length=64)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices)
    threshold = models.FloatField(_("threshold"))
    for_s = models.PositiveIntegerField(
        _("for (seconds)"), default=0, help_text=_("How long the condition must hold before firing.")
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    labels = models.JSONField(_("labels"), default=dict, blank=True, validators=[validate_labels])
    repeat_interval_s = models.PositiveIntegerField(
        _("repeat interval (seconds)"),
        null=True,
        blank=True,
        help_text=_("Re-notify a still-firing alert this often; empty uses the default."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    builtin = models.BooleanField(_("built in"), default=False, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        constraints = [
            models.CheckConstraint(condition=Q(for_s__lte=24 * 60 * 60), name="alert_rule_for_at_most_a_day"),
            models.CheckConstraint(
                condition=Q(repeat_interval_s__isnull=True) | Q(repeat_interval_s__gte=60), name="alert_rule_repeat_min"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.metric not in SOURCES:
            errors["metric"] = _("Unknown metric %(metric)s. Choose one of: %(choices)s.") % {
                "metric": self.metric,
                "choices": ", ".join(sorted(SOURCES)),
            }
        if self.threshold is not None and self.threshold != self.threshold:
            errors["threshold"] = _("The threshold must be a number.")
        if self.for_s is not None and self.for_s > 24 * 60 * 60:
            errors["for_s"] = _("The for-duration may be at most one day (86400 seconds).")
        if self.repeat_interval_s is not None and self.repeat_interval_s < 60:
            errors["repeat_interval_s"] = _("Repeat at most once a minute (60 seconds or more).")
        if errors:
            raise ValidationError(errors)

    def holds(self, value: float) -> bool:
        return {
            Comparison.GT: value > self.threshold,
            Comparison.GTE: value >= self.threshold,
            Comparison.LT: value < self.threshold,
            Comparison.LTE: value <= self.threshold,
        }[Comparison(self.comparison)]


class Alert(models.Model):
    """One series of one rule: pending → firing → resolved. At most one active per fingerprint."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("rule"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    labels = models.JSONField(_("labels"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=AlertState.choices)
    value = models.FloatField(_("last value"))
    active_since = models.DateTimeField(_("condition true since"))
    fired_at = models.DateTimeField(_("fired at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    last_notified_at = models.DateTimeField(_("last notified at"), null=True, blank=True)
    silenced = models.BooleanField(_("silenced"), default=False)

    class Meta:
        ordering = ["-active_since"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=~Q(state="resolved"), name="alert_one_active_per_fingerprint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.name} {self.labels} ({self.state})"


class Silence(models.Model):
    """Mutes notifications of alerts whose labels contain every matcher, until `ends_at`."""

    matchers = models.JSONField(
        _("matchers"), validators=[validate_labels], help_text=_('Labels to match, e.g. {"alertname": "queue-wait-p95-high"}.')
    )
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"))
    comment = models.CharField(_("comment"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("created by")
    )

    class Meta:
        ordering = ["-ends_at"]
        verbose_name = _("silence")
        verbose_name_plural = _("silences")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="silence_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.matchers} → {self.ends_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if isinstance(self.matchers, dict) and not self.matchers:
            raise ValidationError({"matchers": _("A silence needs at least one matcher.")})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A silence must end after it starts.")})

    def matches(self, labels: dict) -> bool:
        return all(labels.get(key) == value for key, value in self.matchers.items())


class NotificationKind(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One grouped message to one channel, with its delivery outcome."""

    channel = models.CharField(_("channel"), max_length=20)
    group_key = models.CharField(_("group"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=NotificationKind.choices)
    payload = models.JSONField(_("payload"))
    alerts = models.ManyToManyField(Alert, related_name="notifications", verbose_name=_("alerts"))
    status = models.CharField(_("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.channel}: {self.group_key} {self.kind} ({self.status})"
