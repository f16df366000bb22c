"""The account settings page (language, e-mails, address, password) and the links mailed to people.

Each form posts to its own address and comes back to the page; a refused form is shown
again with its error and everything else on the page unchanged.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.accounts import credentials, notifications
from apps.accounts.forms import EmailChangeForm, LanguageForm, NotificationsForm, PasswordChangeForm
from apps.accounts.models import Language, NotificationKind
from apps.core.errors import DomainError
from apps.core.forms import add_domain_error


def _settings_page(request: HttpRequest, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    context = {
        "language_form": forms.get("language_form") or LanguageForm(initial={"language": user.language}),
        "notifications_form": forms.get("notifications_form")
        or NotificationsForm(initial=notifications.notification_preferences(user=user)),
        "email_form": forms.get("email_form") or EmailChangeForm(),
        "password_form": forms.get("password_form") or PasswordChangeForm(),
        "single_sign_on": bool(user.oidc_sub),
        "pending_email_change": credentials.email_change_pending(user=user),
        "resend_wait_s": credentials.email_change_resend_wait_s(user=user),
    }
    return render(request, "accounts/settings.html", context, status=status)


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    return _settings_page(request)


def _switch_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_required
@require_POST
def language_save(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, status=400, language_form=form)
    language = form.cleaned_data["language"]
    notifications.user_language_set(user=request.user, language=language)
    if not language:
        messages.success(request, _("Pages now follow your browser's language; e-mails come in Korean."))
        return redirect("accounts:settings")
    with notifications.recipient_language(request.user):
        messages.success(request, _("Language saved. Pages and e-mails now use it."))
    return _switch_language(redirect("accounts:settings"), language)


@login_required
@require_POST
def notifications_save(request: HttpRequest) -> HttpResponse:
    form = NotificationsForm(request.POST)
    form.is_valid()  # unchecked boxes are simply off: a bound form of checkboxes is always valid
    changes = {kind.value: bool(form.cleaned_data.get(kind.value)) for kind in NotificationKind}
    notifications.notification_preferences_set(user=request.user, changes=changes)
    messages.success(request, _("Your e-mail settings are saved."))
    return redirect("accounts:settings")


@login_required
@require_POST
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            change = credentials.email_change_request(user=request.user, new_email=form.cleaned_data["new_email"])
        except DomainError as error:
            add_domain_error(form, error, field_map={"email": "new_email"})
        else:
            messages.success(
                request,
                _("We sent a confirmation link to %(email)s. Your address changes once you open it.")
                % {"email": change.new_email},
            )
            return redirect("accounts:settings")
    return _settings_page(request, status=400, email_form=form)


@login_required
@require_POST
def email_change_resend(request: HttpRequest) -> HttpResponse:
    try:
        change = credentials.email_change_resend(user=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("We sent the confirmation link to %(email)s again.") % {"email": change.new_email})
    return redirect("accounts:settings")


def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link would do (mail scanners open links); POST does it. No sign-in
    needed: the link itself proves the new address is the person's."""
    try:
        if request.method == "POST":
            user = credentials.email_change_confirm(token=token)
            return render(request, "accounts/email_change_confirm.html", {"done": True, "email": user.email})
        change = credentials.email_change_preview(token=token)
    except DomainError as error:
        return render(request, "accounts/email_change_confirm.html", {"error": error}, status=error.http_status)
    return render(request, "accounts/email_change_confirm.html", {"change": change})


@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            user = credentials.password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password1"],
                keep_session_key=request.session.session_key,
            )
        except DomainError as error:
            add_domain_error(form, error, field_map={"new_password": "new_password1"})
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed. Your other browsers and devices were signed out."))
            return redirect("accounts:settings")
    return _settings_page(request, status=400, password_form=form)


@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A per-kind unsubscribe link: GET asks (mail scanners open links), POST turns the kind off.

    CSRF-exempt because mail clients POST here themselves (RFC 8058 one-click, body
    `List-Unsubscribe=One-Click`); the signed token is the authority, not a session.
    """
    try:
        if request.method == "POST":
            _user, kind = notifications.unsubscribe(token=token)
            return render(request, "accounts/unsubscribe.html", {"done": True, "kind": kind})
        _user, kind = notifications.unsubscribe_target(token=token)
    except DomainError as error:
        return render(request, "accounts/unsubscribe.html", {"error": error.message}, status=error.http_status)
    return render(request, "accounts/unsubscribe.html", {"kind": kind, "token": token})


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher, which also keeps a signed-in person's choice on the account
    (pages after sign-in and e-mails follow the account, see UserLanguageMiddleware)."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and language in Language.values:
        notifications.user_language_set(user=request.user, language=language)
    return response
