"""Binds a request id (and the signed-in user's id) to everything logged while serving a request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import context

REQUEST_ID_HEADER = "X-Request-ID"


class RequestContextMiddleware:
    """Sits after AuthenticationMiddleware; echoes the request id in the response's X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        # Not reset on the way out: Django logs a 4xx/5xx response (django.request) after the
        # whole middleware chain has returned, and that line needs the ids too. They are
        # cleared when the response is closed (request_finished, apps.core.apps).
        context.replace({"request_id": request_id, "user_id": user_id})
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
