import logging
from functools import wraps

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import BACKEND_SESSION_KEY, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView, OIDCLogoutView

from apps.accounts import email_confirmation, identity, notifications, oidc, privacy, services
from apps.accounts import photos as account_photos
from apps.accounts.forms import (
    EmailAuthenticationForm,
    PhotoForm,
    ProfileForm,
    SignUpForm,
    UniversityCodeForm,
    UniversityEmailForm,
)
from apps.accounts.models import Profile
from apps.accounts.selectors import (
    profile_for_user,
    profile_photo_key_matches,
    profile_photo_url,
    profile_photo_visible_to,
    university_code_resend_wait_s,
)
from apps.core.errors import DomainError
from apps.core.forms import add_domain_error

logger = logging.getLogger(__name__)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("events:list")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_up(email=form.cleaned_data["email"], password=form.cleaned_data["password1"])
        except DomainError as error:
            add_domain_error(form, error, field_map={"password": "password1"})
        else:
            # E-mails go out in the language the student signed up in; settings change it.
            notifications.user_language_set(user=user, language=request.LANGUAGE_CODE)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            email_confirmation.sign_up_confirmation_send(user=user)
            messages.success(
                request,
                _("Welcome! We sent you a link to confirm your e-mail. Meanwhile, tell us about yourself."),
            )
            return redirect("accounts:profile")
    return render(request, "accounts/signup.html", {"form": form})


def _profile_initial(profile: Profile | None) -> dict:
    if profile is None:
        return {}
    return {
        "nickname": profile.nickname,
        "gender": profile.gender,
        "seeking": profile.seeking,
        "birth_date": profile.birth_date,
        "university": profile.university_id,
        "region": profile.region,
        "interests": list(profile.interests.values_list("pk", flat=True)),
        "bio": profile.bio,
    }


def _lock_verified_fields(form: ProfileForm, *, user_id: int) -> None:
    """Show the identity check's birth date and gender, unchangeable (the service refuses changes too)."""
    verification = identity.identity_for_user(user_id=user_id)
    if verification is None or not verification.locks_profile:
        return
    for name, value in (("birth_date", verification.birth_date), ("gender", verification.gender)):
        form.fields[name].disabled = True
        form.fields[name].initial = value
        form.fields[name].help_text = _("From your identity check; it cannot be changed.")


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = profile_for_user(user=request.user)
    form = ProfileForm(request.POST or None, initial=_profile_initial(profile))
    _lock_verified_fields(form, user_id=request.user.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_save(
                user=request.user,
                nickname=data["nickname"],
                gender=data["gender"],
                seeking=data["seeking"],
                birth_date=data["birth_date"],
                university_id=data["university"].pk,
                region=data["region"],
                interest_ids=[interest.pk for interest in data["interests"]],
                bio=data["bio"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("events:list" if profile is None else "accounts:profile")
    photo_url = profile_photo_url(profile=profile) if profile else None
    context = {"form": form, "profile": profile, "photo_form": PhotoForm(), "photo_url": photo_url}
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def photo_upload(request: HttpRequest) -> HttpResponse:
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            account_photos.profile_photo_set(user=request.user, upload=form.cleaned_data["photo"])
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Photo uploaded. Others will see it once it is reviewed."))
    else:
        messages.error(request, " ".join(form.errors.get("photo", [_("Choose a photo to upload.")])))
    return redirect("accounts:profile")


def photo(request: HttpRequest, user_id: int, key: str) -> HttpResponse:
    """Serve a profile photo only to whom may see it; everyone else gets the placeholder.

    The address holds the current photo's key (`profile_photo_url`), so photos cannot be
    fetched by user id; a wrong key or an unknown user looks like a hidden photo. Approved
    photos are for signed-in students only, and never across a block; S3 objects are handed
    out as presigned URLs that expire (MEDIA_URL_EXPIRE_S).
    """
    profile = Profile.objects.filter(user_id=user_id).first()
    if (
        profile is None
        or not profile_photo_key_matches(profile=profile, key=key)
        or not profile_photo_visible_to(profile=profile, viewer=request.user)
    ):
        return redirect(static("accounts/placeholder.svg"))
    storage = profile.photo.storage
    if isinstance(storage, FileSystemStorage):
        if not storage.exists(profile.photo.name):
            raise Http404
        response = FileResponse(storage.open(profile.photo.name, "rb"), content_type="image/jpeg")
    else:
        response = redirect(storage.url(profile.photo.name))
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def university_verify(request: HttpRequest) -> HttpResponse:
    profile = profile_for_user(user=request.user)
    if profile is None:
        messages.info(request, _("Complete your profile first."))
        return redirect("accounts:profile")
    email_form = UniversityEmailForm(request.POST if request.POST.get("step") == "email" else None)
    code_form = UniversityCodeForm(request.POST if request.POST.get("step") == "code" else None)
    if request.method == "POST" and email_form.is_bound and email_form.is_valid():
        try:
            services.university_verification_start(user=request.user, email=email_form.cleaned_data["email"])
        except DomainError as error:
            add_domain_error(email_form, error)
        else:
            messages.success(request, _("We sent a six-digit code. It is valid for 10 minutes."))
            return redirect("accounts:verify")
    if request.method == "POST" and code_form.is_bound and code_form.is_valid():
        try:
            services.university_verification_confirm(user=request.user, code=code_form.cleaned_data["code"])
        except DomainError as error:
            add_domain_error(code_form, error)
        else:
            messages.success(request, _("Your university is verified."))
            return redirect("accounts:profile")
    pending = request.user.university_verifications.filter(verified_at__isnull=True).first()
    if pending and not email_form.is_bound:
        email_form = UniversityEmailForm(initial={"email": pending.email})
    context = {"profile": profile, "email_form": email_form, "code_form": code_form, "pending": pending}
    context["resend_wait_s"] = university_code_resend_wait_s(user=request.user)
    return render(request, "accounts/verify.html", context)


def local_accounts_only(view):
    """Local sign-up and password reset exist only while local accounts are switched on."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.LOCAL_LOGIN_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def client_ip(request: HttpRequest) -> str:
    """The client's address: the socket's, or the one the trusted proxies put in X-Forwarded-For."""
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


class LoginView(auth_views.LoginView):
    """Local password login (throttled) next to the single sign-on button."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client_ip": client_ip(self.request)}

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_LOGIN_ENABLED:
            return render(request, "accounts/login.html", self.get_context_data(form=None), status=403)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.throttled.retry_after_s)
        return response


class LogoutView(OIDCLogoutView):
    """Ends the session; a single sign-on session also ends at the provider (Cognito's /logout)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(BACKEND_SESSION_KEY) == oidc.BACKEND_PATH:
            return super().post(request)
        auth.logout(request)
        return redirect(self.redirect_url)


def _oidc_error(request: HttpRequest, code: str, message: str, status: int) -> HttpResponse:
    return render(request, "accounts/oidc_error.html", {"code": code, "message": message}, status=status)


def _provider_unavailable(request: HttpRequest) -> HttpResponse:
    message = _("The sign-in service could not be reached or answered with an error. Please try again in a moment.")
    return _oidc_error(request, "provider_error", message, 502)


class OIDCLoginStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with state, nonce and a PKCE challenge kept in the session."""

    def __init__(self, **kwargs):
        # The parent reads the endpoint here; ours may need discovery, which can fail.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.provider_endpoint("authorization_endpoint")
        except oidc.ProviderUnavailable:
            logger.warning("single sign-on start failed", exc_info=True)
            return _provider_unavailable(request)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: signs the person in, or shows why not with a way back."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        error = request.GET.get("error")
        state = request.GET.get("state")
        if not error and state not in request.session.get("oidc_states", {}):
            message = _("This sign-in link has expired or was already used. Please start again.")
            return _oidc_error(request, "login_expired", message, 400)
        returned_issuer = request.GET.get("iss")
        if returned_issuer and returned_issuer.rstrip("/") != settings.OIDC_OP_ISSUER:
            # RFC 9207: an answer from another issuer is a mix-up attack, not our provider.
            return _oidc_error(request, "security_check_failed", _("The sign-in answer failed a security check."), 400)
        try:
            return super().get(request)
        except (requests.RequestException, oidc.ProviderUnavailable):
            logger.warning("single sign-on token exchange failed", exc_info=True)
            return _provider_unavailable(request)
        except SuspiciousOperation:
            logger.warning("single sign-on answer rejected", exc_info=True)
            return _oidc_error(request, "security_check_failed", _("The sign-in answer failed a security check."), 400)

    def login_failure(self) -> HttpResponse:
        error = self.request.GET.get("error")
        if error == "access_denied":
            return _oidc_error(self.request, "cancelled", _("You cancelled signing in. Nothing was changed."), 200)
        if error:
            logger.warning("provider answered %s: %s", error, self.request.GET.get("error_description", ""))
            return _provider_unavailable(self.request)
        refusal = getattr(self.request, "oidc_failure", None)
        if refusal is not None:
            return _oidc_error(self.request, refusal.code, str(refusal.message), refusal.http_status)
        return _oidc_error(self.request, "login_failed", _("Signing in did not work. Please start again."), 400)


@login_required
def account_export(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(privacy.account_export(user=request.user), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="matchminds-export.json"'
    return response


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    try:
        privacy.account_delete(user=request.user, password=request.POST.get("password", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("moderation:settings")
    logout(request)
    messages.success(request, _("Your account and your data have been deleted."))
    return redirect("home")
