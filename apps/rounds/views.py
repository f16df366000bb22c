"""Staff pages of the rounds: the organizer console and the post-event report (with its CSV)."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from apps.events.models import Event, EventFormat
from apps.rounds import report


def _require_staff(request):
    """Anonymous people are sent to log in; signed-in non-staff get a 404 (the page does not exist for them)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_active and request.user.is_staff):
        raise Http404
    return None


@require_GET
def console_page(request, event_id: int):
    if (redirect := _require_staff(request)) is not None:
        return redirect
    event = get_object_or_404(Event, pk=event_id, format=EventFormat.ROUNDS)
    return render(request, "rounds/console.html", {"event": event})


@require_GET
def report_page(request, event_id: int):
    if (redirect := _require_staff(request)) is not None:
        return redirect
    event = get_object_or_404(Event, pk=event_id)
    rows = report.event_report(event=event)
    context = {
        "event": event,
        "total": rows[0],
        "round_rows": [row for row in rows if row.scope == "round"],
        "university_rows": [row for row in rows if row.scope == "university"],
        "chart": report.chart_data(rows),
    }
    return render(request, "rounds/report.html", context)


@require_GET
def report_csv(request, event_id: int):
    if (redirect := _require_staff(request)) is not None:
        return redirect
    event = get_object_or_404(Event, pk=event_id)
    response = StreamingHttpResponse(report.report_csv_lines(event=event), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-report.csv"'
    return response
