"""DRF glue: every error leaves the API as `{"error": {"code", "message", ...}}`.

What fails outside DRF's reach (an unknown address, a body Django cannot parse, a crash)
gets the same envelope from `apps.core.views`' error handlers.
"""

import math

import redis.exceptions
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import DomainError

API_PATH_PREFIX = "/api/"


def api_error_response(status_code: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status_code)


# Redis or PostgreSQL away or refusing writes (a failover; Sentinels without a quorum keep no
# writable primary): nothing was done, so the client may retry. A 503 with Retry-After, not a 500.
BACKING_SERVICE_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ReadOnlyError,
    OperationalError,
    InterfaceError,
)
SERVICE_UNAVAILABLE_RETRY_AFTER_S = 2


def _first_message(detail) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_message(next(iter(detail.values())))
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after_s)} if exc.retry_after_s is not None else None
        return Response({"error": exc.as_dict()}, status=exc.http_status, headers=headers)
    if isinstance(exc, BACKING_SERVICE_ERRORS):
        error = {
            "code": "service_unavailable",
            "message": _("The service is briefly unavailable; please retry."),
            "retry_after_s": SERVICE_UNAVAILABLE_RETRY_AFTER_S,
        }
        headers = {"Retry-After": str(SERVICE_UNAVAILABLE_RETRY_AFTER_S)}
        return Response({"error": error}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "error": {
                "code": "invalid",
                "message": _first_message(exc.detail),
                "fields": exc.detail,
            }
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {"error": {"code": code if isinstance(code, str) else "error", "message": _first_message(response.data)}}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response.data["error"]["retry_after_s"] = math.ceil(exc.wait)
    return response


@csrf_exempt  # it changes nothing, and a POST to a wrong address deserves the 404, not a CSRF page
def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any address under /api/ that names no endpoint (or a malformed id): the JSON envelope, never an HTML page."""
    return api_error_response(404, "not_found", _("No API endpoint at this address."))
