from django import template

from apps.moderation.models import Report, ReportStatus

register = template.Library()


@register.simple_tag
def open_report_count() -> int:
    """Reports waiting for a moderator, shown on the admin home."""
    return Report.objects.filter(status=ReportStatus.OPEN).count()
