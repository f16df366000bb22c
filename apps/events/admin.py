from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Region
from apps.events.models import Event


class EventAdminForm(forms.ModelForm):
    regions = forms.MultipleChoiceField(
        label=_("regions"), choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Event
        fields = [
            "name",
            "description",
            "nationwide",
            "regions",
            "universities",
            "starts_at",
            "ends_at",
            "state_override",
            "capacity",
            "require_verified",
            "allow_same_university",
            "accept_timeout_s",
            "max_wait_s",
        ]

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The event must end after it starts."))
        if not cleaned.get("nationwide") and not cleaned.get("regions") and not cleaned.get("universities"):
            self.add_error("nationwide", _("Choose regions or universities, or make the event nationwide."))
        return cleaned


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["name", "state_display", "starts_at", "ends_at", "nationwide", "capacity", "require_verified"]
    list_filter = ["nationwide", "require_verified", "state_override"]
    search_fields = ["name"]
    filter_horizontal = ["universities"]

    @admin.display(description=_("state"))
    def state_display(self, event: Event) -> str:
        return event.state
