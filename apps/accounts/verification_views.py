"""Pages that prove who a student is: the e-mail confirmation link and the identity check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import email_confirmation, identity
from apps.accounts.identity_verifiers import MOBILE
from apps.accounts.selectors import profile_for_user
from apps.core.errors import DomainError


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and POST confirms: mail scanners that open links change nothing."""
    if request.method == "GET":
        return render(request, "accounts/confirm_email.html", {"token": token})
    try:
        email_confirmation.sign_up_email_confirm(token=token)
    except DomainError as error:
        return render(request, "accounts/confirm_email.html", {"error": error}, status=error.http_status)
    messages.success(request, _("Your e-mail address is confirmed."))
    return redirect("policies:accept" if request.user.is_authenticated else "accounts:login")


@login_required
@require_POST
def confirm_email_resend(request: HttpRequest) -> HttpResponse:
    try:
        email_confirmation.sign_up_confirmation_send(user=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("We sent a new link to %(email)s.") % {"email": request.user.email})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "accounts:profile"
    return redirect(target or "accounts:profile")


@login_required
@require_http_methods(["GET", "POST"])
def identity_check(request: HttpRequest) -> HttpResponse:
    """The identity step: a mobile check sends the browser to the provider; a self-declared
    one records the student's word for their profile."""
    verifier = identity.identity_verifier_name()
    if request.method == "POST":
        try:
            if verifier == MOBILE:
                return redirect(identity.identity_start(user=request.user, return_url=_callback_url(request)))
            identity.identity_self_declare(user=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Thank you. Your details are confirmed."))
        return redirect("accounts:identity")
    context = {
        "verifier": verifier,
        "verification": identity.identity_for_user(user_id=request.user.pk),
        "verified": identity.user_identity_verified(user_id=request.user.pk),
        "profile": profile_for_user(user=request.user),
    }
    return render(request, "accounts/identity.html", context)


def _callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:identity-callback"))


@csrf_exempt
@require_POST
def identity_callback(request: HttpRequest) -> HttpResponse:
    """The provider posts its signed answer here from its own page, so there is no CSRF token
    and, across sites, maybe no session cookie: the signature and the one-time request id
    (bound to the account that started the check) are what is trusted."""
    fields = {key: request.POST.get(key, "") for key in request.POST}
    signed_in = request.user.pk if request.user.is_authenticated else None
    try:
        identity.identity_callback_complete(fields=fields, signed_in_user_id=signed_in)
    except DomainError as error:
        return render(request, "accounts/identity_failed.html", {"error": error}, status=error.http_status)
    messages.success(request, _("Your identity is verified. Your birth date and gender now come from the check."))
    return redirect("accounts:identity")
