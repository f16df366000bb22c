import time

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.models import Region
from apps.dashboard import prometheus, selectors, trends
from apps.dashboard.korea_map import korea_map
from apps.events.models import Event
from apps.events.signups import signup_breakdown


def _require_staff(request):
    """Anonymous people are sent to log in; signed-in non-staff get a 404 (the page does not exist for them)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_active and request.user.is_staff):
        raise Http404
    return None


def _selected_event(request) -> Event | None:
    raw = request.GET.get("event") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    event = Event.objects.filter(pk=int(raw)).first()
    if event is None:
        raise Http404
    return event


def _context(request, event: Event | None) -> dict:
    events = sorted(Event.objects.order_by("-starts_at")[:50], key=lambda item: (not item.is_live, -item.starts_at.timestamp()))
    return {
        "events": events,
        "selected_event": event,
        "regions": [{"code": code, "label": str(label)} for code, label in Region.choices],
    }


@require_GET
def live(request):
    if (redirect := _require_staff(request)) is not None:
        return redirect
    event = _selected_event(request)
    context = _context(request, event)
    context["region_labels"] = {row["code"]: row["label"] for row in context["regions"]}
    shapes = korea_map()
    context["korea_map"] = shapes
    context["region_shapes"] = [{**row, "d": shapes.regions[row["code"]]} for row in context["regions"]]
    context["signups"] = signup_breakdown(event_id=event.pk) if event else None
    context["trend"] = trends.trend_window(event_id=event.pk if event else None, now=time.time())
    return render(request, "dashboard/live.html", context)


@require_GET
def history(request):
    if (redirect := _require_staff(request)) is not None:
        return redirect
    event = _selected_event(request)
    context = _context(request, event)
    context["history"] = selectors.history_series(event_id=event.pk if event else None)
    return render(request, "dashboard/history.html", context)


@require_GET
def metrics(request):
    if not prometheus.scrape_allowed(request):
        raise Http404
    return HttpResponse(prometheus.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
