import json
from datetime import datetime

from django.contrib import admin
from django.utils.timezone import localtime

from apps.core.redis import get_redis
from apps.events.models import Event
from apps.matching import queue, selectors
from apps.matching.models import Match, MatchSeat, QueueEpoch, TicketEvent


class MatchSeatInline(admin.TabularInline):
    model = MatchSeat
    extra = 0
    readonly_fields = ["user", "event", "is_active"]
    can_delete = False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "user_a", "user_b", "status", "room", "created_at"]
    list_filter = ["status", "event"]
    readonly_fields = ["event", "proposal_id", "user_a", "user_b", "room", "created_at", "ended_at"]
    inlines = [MatchSeatInline]
    change_list_template = "admin/matching/match/change_list.html"

    def changelist_view(self, request, extra_context=None):
        """Staff see each live queue's gender balance and the last reconciliation above the list,
        by event name and in local time (the stored report's time is UTC)."""
        event_ids = list(queue.event_ids_with_queue())
        names = dict(Event.objects.filter(pk__in=event_ids).values_list("pk", "name"))
        queues = []
        for event_id in event_ids:
            report = get_redis().get(f"mq:{event_id}:reconcile")
            reconcile = json.loads(report) if report else None
            if reconcile:
                reconcile["at"] = localtime(datetime.fromisoformat(reconcile["at"]))
            queues.append(
                {**selectors.queue_imbalance(event_id=event_id), "event_name": names.get(event_id, "—"), "reconcile": reconcile}
            )
        return super().changelist_view(request, extra_context={**(extra_context or {}), "queues": queues})


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ["at", "event", "user", "kind", "detail", "proposal_id"]
    list_filter = ["kind", "event"]
    search_fields = ["user__email"]
    readonly_fields = ["seq", "event", "user", "kind", "detail", "proposal_id", "at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QueueEpoch)
class QueueEpochAdmin(admin.ModelAdmin):
    """Each lifetime of the live queue in Redis: when it was lost and how many tickets came back."""

    list_display = ["id", "cause", "started_at", "restored_at", "restored", "told"]
    list_filter = ["cause"]
    readonly_fields = ["cause", "started_at", "restored_at", "restored", "told"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
