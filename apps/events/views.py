from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.events import selectors
from apps.events.selectors import event_list_visible


def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "events/list.html", {"events": selectors.event_list_visible()})


@login_required
def event_lobby(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(event_id=event_id)
    if event is None:
        raise Http404
    problems = selectors.event_join_problems(user=request.user, event=event)
    return render(
        request,
        "events/lobby.html",
        {
            "event": event,
            "problems": problems,
            "problem_codes": [code for code, _ in problems],
            "counts": selectors.lobby_counts(event_id=event.pk),
        },
    )


HOME_EVENTS = 3


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("events:list")
    return render(request, "core/home.html", {"events": event_list_visible()[:HOME_EVENTS]})
