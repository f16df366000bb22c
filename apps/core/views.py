from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from apps.core.api import API_PATH_PREFIX, api_error_response
from apps.core.redis import get_redis


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is checked, so a slow dependency never restarts pods."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported as text
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        get_redis().ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {exc.__class__.__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def admin_login(request: HttpRequest) -> HttpResponse:
    """Where the admin sends whoever it does not let in.

    Signing in happens on the site's own login (throttled, with single sign-on). A signed-in
    student sent here gets a 403 page: the login page sent them straight back to the admin,
    which sent them here again, forever.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, login_url=reverse("accounts:login"))
    if request.user.is_active and request.user.is_staff:
        return redirect(next_url)
    return render(request, "403.html", {"admin_only": True}, status=403)


# Error views: under /api/ the JSON envelope the API promises, elsewhere Django's pages. They
# answer what fails outside DRF's exception handler: a Host not allowed, more fields than
# DATA_UPLOAD_MAX_NUMBER_FIELDS or a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a crash.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PATH_PREFIX):
        return api_error_response(400, "bad_request", _("The request could not be read: it is malformed or too large."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PATH_PREFIX):
        return api_error_response(403, "permission_denied", _("You do not have permission to do this."))
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PATH_PREFIX):
        return api_error_response(404, "not_found", _("No API endpoint at this address."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PATH_PREFIX):
        return api_error_response(500, "internal_error", _("Something went wrong on our side; please retry."))
    return defaults.server_error(request)
