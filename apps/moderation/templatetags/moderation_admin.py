from django import template

from apps.moderation.models import Appeal, AppealStatus, Report, ReportStatus

register = template.Library()


@register.simple_tag
def open_report_count() -> int:
    """Reports waiting for a moderator, shown on the admin home."""
    return Report.objects.filter(status=ReportStatus.OPEN).count()


@register.simple_tag
def open_appeal_count() -> int:
    """Students' appeals waiting for a moderator, shown on the admin home."""
    return Appeal.objects.filter(status=AppealStatus.OPEN).count()
