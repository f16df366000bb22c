from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Region
from apps.events import signups, widget
from apps.events.models import Event, EventSignup


class EventAdminForm(forms.ModelForm):
    regions = forms.MultipleChoiceField(
        label=_("regions"), choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Event
        fields = [
            "name",
            "slug",
            "description",
            "rules",
            "nationwide",
            "regions",
            "universities",
            "starts_at",
            "ends_at",
            "state_override",
            "capacity",
            "signup_capacity",
            "embed_origins",
            "require_verified",
            "require_identity",
            "allow_same_university",
            "accept_timeout_s",
            "max_wait_s",
            "format",
            "rounds_count",
            "round_minutes",
            "break_s",
            "checkin_window_s",
            "reveal",
        ]

    def clean_embed_origins(self) -> str:
        try:
            origins = widget.embed_origins_parse(self.cleaned_data.get("embed_origins") or "")
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0]) from None
        return "\n".join(origins)

    # A queue event needs none of the round settings: left empty, they keep their defaults.
    ROUND_SETTINGS = ("format", "rounds_count", "round_minutes", "break_s", "checkin_window_s", "reveal")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.ROUND_SETTINGS:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.ROUND_SETTINGS:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                cleaned[name] = Event._meta.get_field(name).default
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The event must end after it starts."))
        if not cleaned.get("nationwide") and not cleaned.get("regions") and not cleaned.get("universities"):
            self.add_error("nationwide", _("Choose regions or universities, or make the event nationwide."))
        return cleaned


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = [
        "name",
        "slug",
        "format",
        "state_display",
        "starts_at",
        "ends_at",
        "nationwide",
        "capacity",
        "signup_capacity",
    ]
    list_filter = ["format", "nationwide", "require_verified", "state_override"]
    search_fields = ["name"]
    filter_horizontal = ["universities"]
    readonly_fields = ["share_kit", "signups_overview"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "signup_capacity" in form.changed_data:
            signups.waitlist_fill(event_id=obj.pk)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if obj is not None else [name for name in fields if name not in self.readonly_fields]

    @admin.display(description=_("share kit and widget code"))
    def share_kit(self, event: Event) -> str:
        base = settings.PUBLIC_BASE_URL
        return render_to_string(
            "admin/events/share_kit.html",
            {"event": event, "base": base, "snippet": widget.embed_snippet(base_url=base, slug=event.slug)},
        )

    @admin.display(description=_("sign-ups"))
    def signups_overview(self, event: Event) -> str:
        return render_to_string("events/_signup_breakdown.html", {"breakdown": signups.signup_breakdown(event_id=event.pk)})

    @admin.display(description=_("state"))
    def state_display(self, event: Event) -> str:
        return event.state_label


@admin.register(EventSignup)
class EventSignupAdmin(admin.ModelAdmin):
    list_display = ["event", "user", "status", "gender", "university", "created_at"]
    list_filter = ["status", "event", "user__profile__gender", "user__profile__university"]
    search_fields = ["user__email", "event__name"]
    list_select_related = ["event", "user__profile__university"]
    readonly_fields = ["event", "user", "status", "created_at", "waitlisted_at", "confirmed_at", "cancelled_at"]

    def has_add_permission(self, request) -> bool:
        # Sign-ups are made by students through the site, where places and the waitlist are kept.
        return False

    @admin.display(description=_("gender"))
    def gender(self, signup: EventSignup) -> str:
        profile = getattr(signup.user, "profile", None)
        return profile.get_gender_display() if profile else "—"

    @admin.display(description=_("university"))
    def university(self, signup: EventSignup) -> str:
        profile = getattr(signup.user, "profile", None)
        return str(profile.university) if profile else "—"
