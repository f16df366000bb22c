from django.db import models
from django.utils.translation import gettext_lazy as _


class MetricMinute(models.Model):
    """One metric's value for one minute, flushed from Redis (counters) or sampled (gauges).

    `scope` is `all` or an event id; `dim` is `all`, `g:<gender>`, `r:<region>` or
    `u:<university id>` (see docs/metrics.md). Flushing is an upsert, so re-flushing a
    minute that Redis still holds is harmless.
    """

    minute = models.DateTimeField(_("minute"))
    name = models.CharField(_("name"), max_length=64)
    scope = models.CharField(_("scope"), max_length=16)
    dim = models.CharField(_("dimension"), max_length=32)
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("metric minute")
        verbose_name_plural = _("metric minutes")
        constraints = [
            models.UniqueConstraint(fields=["scope", "dim", "name", "minute"], name="metric_minute_unique"),
        ]
        indexes = [models.Index(fields=["minute"], name="metric_minute_minute_idx")]

    def __str__(self) -> str:
        return f"{self.name}[{self.scope}/{self.dim}]@{self.minute:%Y-%m-%d %H:%M}={self.value}"
