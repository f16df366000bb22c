from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import services
from apps.accounts.forms import PhotoForm, ProfileForm, SignUpForm, UniversityCodeForm, UniversityEmailForm
from apps.accounts.models import PhotoStatus, Profile
from apps.accounts.selectors import profile_for_user
from apps.core.errors import DomainError
from apps.core.forms import add_domain_error


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
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Tell others a little about yourself."))
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


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = profile_for_user(user=request.user)
    form = ProfileForm(request.POST or None, initial=_profile_initial(profile))
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
    return render(request, "accounts/profile.html", {"form": form, "profile": profile, "photo_form": PhotoForm()})


@login_required
@require_POST
def photo_upload(request: HttpRequest) -> HttpResponse:
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.profile_photo_set(user=request.user, upload=form.cleaned_data["photo"])
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Photo uploaded. Others will see it once it is reviewed."))
    else:
        messages.error(request, " ".join(form.errors.get("photo", [_("Choose a photo to upload.")])))
    return redirect("accounts:profile")


def photo(request: HttpRequest, user_id: int) -> HttpResponse:
    """Serve a profile photo only to whom may see it; everyone else gets the placeholder."""
    profile = get_object_or_404(Profile, user_id=user_id)
    may_see = profile.photo and (
        profile.photo_status == PhotoStatus.APPROVED
        or (request.user.is_authenticated and (request.user.pk == user_id or request.user.is_staff))
    )
    if not may_see:
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
    return render(
        request,
        "accounts/verify.html",
        {"profile": profile, "email_form": email_form, "code_form": code_form, "pending": pending},
    )
