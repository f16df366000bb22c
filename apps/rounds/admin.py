from datetime import datetime

from django.contrib import admin
from django.utils.formats import time_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.events.models import EventState
from apps.rounds.models import ConsoleAction, RoundPhase


def _clock(iso: str) -> str:
    return time_format(localtime(datetime.fromisoformat(iso)), "TIME_FORMAT")


def state_text(state: dict) -> str:
    """A console state as the organizer saw it (round, phase, deadlines in local time), not the
    stored JSON with its UTC timestamps: "1라운드 · 대화 중 · 대화 끝 오전 7:35 · 쉬는 시간 끝 오전 7:36"."""
    if not state:
        return "—"
    parts = []
    if state.get("round"):
        parts.append(gettext("Round %(n)s") % {"n": state["round"]})
    if state.get("phase") in RoundPhase.values:
        parts.append(str(RoundPhase(state["phase"]).label))
    if state.get("paused"):
        parts.append(gettext("Paused"))
    if state.get("ends_at"):
        parts.append(gettext("talk ends %(time)s") % {"time": _clock(state["ends_at"])})
    if state.get("break_ends_at"):
        parts.append(gettext("break ends %(time)s") % {"time": _clock(state["break_ends_at"])})
    if state.get("event_state") in EventState.values:
        parts.append(gettext("event %(state)s") % {"state": EventState(state["event_state"]).label})
    return " · ".join(parts)


@admin.register(ConsoleAction)
class ConsoleActionAdmin(admin.ModelAdmin):
    """The organizer console's audit log: read-only, kept as pressed."""

    list_display = ["at", "event", "round_number", "staff", "action", "error", "before_text", "after_text"]
    list_filter = ["event", "action", "error"]
    search_fields = ["event__name", "staff__email"]
    date_hierarchy = "at"
    list_select_related = ["event", "round", "staff"]
    fields = ["at", "event", "round_number", "staff", "action", "error", "before_text", "after_text"]
    readonly_fields = fields
    empty_value_display = "—"

    @admin.display(description=_("round"), ordering="round__number")
    def round_number(self, obj) -> str:
        return gettext("Round %(n)s") % {"n": obj.round.number} if obj.round else "—"

    @admin.display(description=_("state before"))
    def before_text(self, obj) -> str:
        return state_text(obj.before)

    @admin.display(description=_("state after"))
    def after_text(self, obj) -> str:
        return state_text(obj.after)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
