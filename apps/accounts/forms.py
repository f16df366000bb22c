"""Forms check types and shapes; the rules live in services, whose errors the views attach here."""

from datetime import date

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts import services
from apps.accounts.models import Gender, Interest, Language, NotificationKind, Region, SeekingChoice, University
from apps.accounts.notifications import recipient_language
from apps.accounts.selectors import age_in_years, banned_login_notice_path
from apps.core.errors import DomainError

# Errors that say what to do next, not only "This field is required." / "Enter a valid email address."
EMAIL_ERRORS = {
    "required": _("Enter your e-mail address."),
    "invalid": _("Enter an e-mail address such as name@example.com."),
}


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), error_messages=EMAIL_ERRORS, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Choose a password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        error_messages={"required": _("Type the same password again.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class LanguageAwarePasswordResetForm(PasswordResetForm):
    """The reset e-mail in the account's language (`notifications.recipient_language`)."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with recipient_language(context["user"]):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class EmailAuthenticationForm(AuthenticationForm):
    """The local password login; every attempt counts against the throttle before the password is checked."""

    username = forms.EmailField(
        label=_("E-mail"),
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is not right. Check both and try again, or reset your password."),
    }

    def __init__(self, request=None, *args, client_ip: str = "", **kwargs):
        super().__init__(request, *args, **kwargs)
        self.client_ip = client_ip
        self.throttled: DomainError | None = None
        self.banned_notice_path: str | None = None

    def clean(self):
        try:
            services.login_attempt_register(email=self.cleaned_data.get("username") or "", client_ip=self.client_ip)
        except DomainError as error:
            self.throttled = error
            raise forms.ValidationError(error.message, code=error.code) from None
        try:
            return super().clean()
        except forms.ValidationError:
            self.banned_notice_path = banned_login_notice_path(
                email=self.cleaned_data.get("username") or "", password=self.cleaned_data.get("password") or ""
            )
            if self.banned_notice_path is None:
                raise
            raise forms.ValidationError(
                _("This account has been banned for breaking the community rules. You can still read why and appeal."),
                code="account_banned",
            ) from None


class ProfileForm(forms.Form):
    nickname = forms.CharField(
        label=_("Nickname"), min_length=2, max_length=20, help_text=_("2 to 20 characters, shown to others.")
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("Choose…")), *Gender.choices],
        error_messages={"required": _("Choose your gender.")},
    )
    seeking = forms.ChoiceField(
        label=_("Looking for"),
        choices=[("", _("Choose…")), *SeekingChoice.choices],
        error_messages={"required": _("Choose who you would like to meet.")},
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only people aged 19 or older can match and chat. Others never see it."),
    )
    university = forms.ModelChoiceField(label=_("University"), queryset=University.objects.all())
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Up to 10."),
    )
    bio = forms.CharField(label=_("Bio"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        attrs = self.fields["birth_date"].widget.attrs
        attrs["max"] = _years_before(today, settings.MINIMUM_AGE_YEARS).isoformat()
        attrs["min"] = _years_before(today, services.OLDEST_PLAUSIBLE_AGE_YEARS).isoformat()

    def clean_birth_date(self):
        """Refuse where it is typed, with the reason, rather than at the lobby door."""
        birth_date = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if birth_date > today:
            raise forms.ValidationError(_("This date is in the future. Enter the day you were born."), code="future")
        if birth_date < _years_before(today, services.OLDEST_PLAUSIBLE_AGE_YEARS):
            raise forms.ValidationError(
                _("Check the year: this date would make you older than %(age)d.") % {"age": services.OLDEST_PLAUSIBLE_AGE_YEARS},
                code="implausible",
            )
        if age_in_years(birth_date=birth_date, today=today) < settings.MINIMUM_AGE_YEARS:
            raise forms.ValidationError(
                _(
                    "MatchMinds is for people aged %(age)d or older, so we cannot save this birth date. "
                    "If you typed it by mistake, correct the year."
                )
                % {"age": settings.MINIMUM_AGE_YEARS},
                code="underage",
            )
        return birth_date


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB and 20 megapixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class UniversityEmailForm(forms.Form):
    email = forms.EmailField(label=_("University e-mail"))


class UniversityCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("The code has six digits.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6, "pattern": "[0-9]*"}
        ),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of pages and e-mails"),
        # The option stays short enough for a 320 px select; the e-mail rule is the help text.
        choices=[("", _("Same as my browser")), *Language.choices],
        help_text=_("With “Same as my browser”, e-mails come in Korean."),
        required=False,
    )


NOTIFICATION_HELP = {
    NotificationKind.DIGEST: _("A summary of chat messages you missed while you were away."),
    NotificationKind.NEW_MATCH: _("When you and someone both say yes."),
    NotificationKind.EVENT_REMINDER: _("The day before, and 10 minutes before, an event you signed up for."),
    NotificationKind.MODERATION_NOTICE: _("What happened to your reports, and decisions about your account."),
}


class NotificationsForm(forms.Form):
    """One checkbox per kind of e-mail (`NotificationKind`), named after the kind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.BooleanField(label=kind.label, required=False, help_text=NOTIFICATION_HELP[kind])


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label=_("New e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password1") and cleaned.get("new_password1") != cleaned.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return cleaned
