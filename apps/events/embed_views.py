"""The embeddable widget (/embed/events/<slug>/) and its one cached public data endpoint.

Both answer from the cached snapshot (apps.events.widget), read no cookie and set none.
The widget page may be framed only by the origins staff listed for the event; the rest of
the site keeps refusing to be framed.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from apps.events import widget

CSP_HEADER = "Content-Security-Policy"


@xframe_options_exempt
@require_GET
def widget_page(request: HttpRequest, slug: str) -> HttpResponse:
    snapshot = widget.widget_snapshot(slug=slug)
    if not snapshot["found"]:
        response = render(request, "events/embed_unavailable.html", status=404)
        # Nothing to protect on this page; partners see the notice instead of a browser error.
        response[CSP_HEADER] = widget.frame_ancestors_policy(["*"])
        return response
    public = snapshot["public"]
    context = {
        "data": public,
        "data_url": reverse("embed:widget-data", args=[slug]),
        "page_url": request.build_absolute_uri(reverse("events:public", args=[slug])),
    }
    response = render(request, "events/embed.html", context)
    response[CSP_HEADER] = widget.frame_ancestors_policy(snapshot["frame_origins"])
    response["Cache-Control"] = f"public, max-age={settings.EVENTS_WIDGET_REFRESH_S}"
    return response


@require_GET
def widget_data(request: HttpRequest, slug: str) -> JsonResponse:
    snapshot = widget.widget_snapshot(slug=slug)
    if not snapshot["found"]:
        return JsonResponse({"error": {"code": "event_not_found", "message": _("No such event.")}}, status=404)
    response = JsonResponse(snapshot["public"])
    response["Cache-Control"] = f"public, max-age={settings.EVENTS_WIDGET_REFRESH_S}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
