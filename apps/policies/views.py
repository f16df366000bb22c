from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.views import client_ip
from apps.core.errors import DomainError
from apps.policies import selectors, services
from apps.policies.models import PolicyKind
from apps.policies.rendering import policy_html


def document(request: HttpRequest, kind: str, version: int | None = None) -> HttpResponse:
    """A published document: the current version, or an older one by number."""
    if kind not in PolicyKind.values:
        raise Http404
    current = selectors.policy_current(kind=kind)
    shown = current if version is None else selectors.policy_version_get(kind=kind, version=version)
    if shown is None:
        raise Http404
    context = {
        "document": shown,
        "body_html": policy_html(shown.body),
        "is_current": current is not None and shown.pk == current.pk,
        "current": current,
        "history": selectors.policy_history(kind=kind),
    }
    return render(request, "policies/document.html", context)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest) -> HttpResponse:
    """The terms and the privacy policy side by side, and one button that accepts both."""
    if request.method == "POST":
        shown = [int(value) for value in request.POST.getlist("version") if value.isdigit()]
        try:
            services.policies_accept(user_id=request.user.pk, version_ids=shown, ip_address=client_ip(request) or None)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Thank you! You can now join events and chat."))
            return redirect(_next_url(request) or "events:list")
    versions = selectors.consent_versions_current()
    already = not selectors.consent_missing_user_ids(user_ids=[request.user.pk])
    context = {
        "documents": [(version, policy_html(version.body)) for version in versions],
        "already_accepted": already,
        "next": _next_url(request),
    }
    return render(request, "policies/accept.html", context)
