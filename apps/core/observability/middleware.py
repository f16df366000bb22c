"""Binds a request id (and the session's user id) to everything logged while serving a request."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

from . import context

REQUEST_ID_HEADER = "X-Request-ID"


class RequestContextMiddleware:
    """Sits after SessionMiddleware; echoes the request id in the response's X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        # Not reset on the way out: Django logs a 4xx/5xx response (django.request) after the
        # whole middleware chain has returned, and that line needs the ids too. They are
        # cleared when the response is closed (request_finished, apps.core.apps).
        context.replace({"request_id": request_id, "user_id": _session_user_id(request)})
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _session_user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id as the session stores it, read without marking the session
    accessed: that would add `Vary: Cookie` and make cacheable public pages uncacheable.
    (Bearer-token API requests bind theirs in apps.accounts.authentication.)"""
    session = getattr(request, "session", None)
    if session is None:
        return None
    accessed = session.accessed
    raw = session.get(SESSION_KEY)
    session.accessed = accessed
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None
