from django.contrib import admin

from apps.rounds.models import ConsoleAction


@admin.register(ConsoleAction)
class ConsoleActionAdmin(admin.ModelAdmin):
    """The organizer console's audit log: read-only, kept as pressed."""

    list_display = ["at", "event", "round", "staff", "action", "error", "before", "after"]
    list_filter = ["event", "action", "error"]
    search_fields = ["event__name", "staff__email"]
    date_hierarchy = "at"
    list_select_related = ["event", "round", "staff"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
