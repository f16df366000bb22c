from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.alerts.models import Alert, AlertRule, Notification, Silence
from apps.alerts.sources import SOURCES


class AlertRuleForm(forms.ModelForm):
    metric = forms.ChoiceField(label=_("metric"), choices=[])

    class Meta:
        model = AlertRule
        fields = [
            "name",
            "description",
            "metric",
            "comparison",
            "threshold",
            "for_s",
            "severity",
            "labels",
            "repeat_interval_s",
            "enabled",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(name, name) for name in sorted(SOURCES)]


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = AlertRuleForm
    list_display = ["name", "metric", "comparison", "threshold", "for_s", "severity", "enabled", "builtin"]
    list_filter = ["enabled", "severity", "builtin"]
    list_editable = ["enabled"]
    search_fields = ["name", "metric", "description"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["rule", "labels", "state", "value", "active_since", "fired_at", "resolved_at", "silenced"]
    list_filter = ["state", "rule"]
    readonly_fields = [field.name for field in Alert._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Silence)
class SilenceAdmin(admin.ModelAdmin):
    list_display = ["matchers", "starts_at", "ends_at", "comment", "created_by"]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "group_key", "kind", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["channel", "status", "kind"]
    readonly_fields = ["channel", "group_key", "kind", "payload", "status", "attempts", "last_error", "created_at", "sent_at"]
    exclude = ["alerts"]

    def has_add_permission(self, request) -> bool:
        return False
