from django.contrib import admin

from apps.dashboard.models import MetricMinute


@admin.register(MetricMinute)
class MetricMinuteAdmin(admin.ModelAdmin):
    list_display = ["minute", "name", "scope", "dim", "value"]
    list_filter = ["name", "scope"]
    date_hierarchy = "minute"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
