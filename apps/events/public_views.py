"""Public event pages (no login needed), advance sign-ups, "my events", calendars and the share kit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import DomainError
from apps.events import calendars, selectors, share, signups, widget
from apps.events.models import Event, EventState, SignupStatus


def _unavailable(request: HttpRequest, *, event: Event | None) -> HttpResponse:
    """A friendly page for an unknown address (404) or an event that is over (410)."""
    context = {"event": event, "upcoming": selectors.event_list_upcoming()}
    return render(request, "events/unavailable.html", context, status=404 if event is None else 410)


def _event_or_unavailable(request: HttpRequest, slug: str) -> Event | HttpResponse:
    event = selectors.event_by_slug(slug=slug)
    if event is None or event.state == EventState.ENDED:
        return _unavailable(request, event=event)
    return event


@require_GET
def event_public(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_unavailable(request, slug)
    if isinstance(event, HttpResponse):
        return event
    signup = signups.signup_active_for_user(user=request.user, event=event)
    context = {
        "event": event,
        "summary": signups.signup_summary(event=event),
        "signup": signup,
        "waitlist_position": signups.waitlist_position(signup=signup) if signup else None,
        "live": widget.widget_snapshot(slug=slug).get("public", {}),
        "page_url": request.build_absolute_uri(reverse("events:public", args=[slug])),
        "og_image_url": request.build_absolute_uri(reverse("events:og-image", args=[slug])),
    }
    return render(request, "events/public.html", context)


@login_required
def event_join(request: HttpRequest, slug: str) -> HttpResponse:
    """The join button: through login, then into the lobby while live, else back to the page."""
    event = _event_or_unavailable(request, slug)
    if isinstance(event, HttpResponse):
        return event
    if event.is_live:
        return redirect("events:lobby", event_id=event.pk)
    return redirect("events:public", slug=slug)


@require_POST
@login_required
def signup_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_by_slug(slug=slug)
    if event is None:
        return _unavailable(request, event=None)
    try:
        signup = signups.signup_create(user=request.user, event_id=event.pk)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("events:public", slug=slug)
    if signup.status == SignupStatus.WAITLISTED:
        position = signups.waitlist_position(signup=signup)
        messages.info(request, _("The event is full; you are number %(position)s on the waitlist.") % {"position": position})
    else:
        messages.success(request, _("You are signed up. We will remind you by e-mail before it starts."))
    return redirect("events:public", slug=slug)


@require_POST
@login_required
def signup_cancel(request: HttpRequest, signup_id: int) -> HttpResponse:
    try:
        signups.signup_cancel(user=request.user, signup_id=signup_id)
    except DomainError as error:
        return render(request, "events/error.html", {"error": error}, status=error.http_status)
    messages.success(request, _("Your sign-up is cancelled."))
    return redirect("events:mine")


@login_required
@require_GET
def my_events(request: HttpRequest) -> HttpResponse:
    feed = calendars.calendar_feed_for_user(user=request.user)
    context = {
        "signups": signups.signups_upcoming_for_user(user=request.user),
        "feed_url": request.build_absolute_uri(reverse("events:calendar-feed", args=[feed.token])),
    }
    return render(request, "events/mine.html", context)


@require_POST
@login_required
def calendar_reset(request: HttpRequest) -> HttpResponse:
    calendars.calendar_feed_reset(user=request.user)
    messages.success(request, _("Your calendar address changed; the old one no longer works."))
    return redirect("events:mine")


def _calendar_response(text: str, *, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_by_slug(slug=slug)
    if event is None:
        return _unavailable(request, event=None)
    return _calendar_response(calendars.calendar_text(events=[event], name=event.name), filename=f"{slug}.ics")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        _user, events = calendars.calendar_feed_events(token=token)
    except DomainError as error:
        return HttpResponse(str(error.message), status=error.http_status, content_type="text/plain; charset=utf-8")
    response = _calendar_response(calendars.calendar_text(events=events, name="MatchMinds"), filename="matchminds.ics")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def og_image(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_by_slug(slug=slug)
    if event is None:
        return _unavailable(request, event=None)
    response = HttpResponse(share.og_image_png(event=event), content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def qr_image(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_by_slug(slug=slug)
    if event is None:
        return _unavailable(request, event=None)
    url = request.build_absolute_uri(reverse("events:public", args=[slug]))
    response = HttpResponse(share.qr_png(url=url), content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def share_kit(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_or_unavailable(request, slug)
    if isinstance(event, HttpResponse):
        return event
    context = {
        "event": event,
        "page_url": request.build_absolute_uri(reverse("events:public", args=[slug])),
        "snippet": widget.embed_snippet(base_url=request.build_absolute_uri("/")[:-1], slug=slug),
    }
    return render(request, "events/share.html", context)
