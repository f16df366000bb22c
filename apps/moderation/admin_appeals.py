"""The appeals queue and the sanctions list in the admin (registered when admin.py loads)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from apps.moderation import appeals as moderation_appeals
from apps.moderation.admin import OverdueFilter, QueueAdmin, _run_for_each
from apps.moderation.models import Appeal, AppealStatus, Sanction


def _when(moment) -> str:
    """A moment in local time (KST) in the admin's own date format, like every other date here."""
    return date_format(localtime(moment), "DATETIME_FORMAT") if moment else "—"


def _decide(outcome: str, label):
    def run(modeladmin, request, queryset):
        _run_for_each(
            modeladmin,
            request,
            queryset,
            lambda appeal, reason: moderation_appeals.appeal_decide(
                appeal_id=appeal.pk, moderator=request.user, outcome=outcome, reason=reason
            ),
        )

    run.__name__ = outcome
    return admin.action(description=label)(run)


@admin.register(Appeal)
class AppealAdmin(QueueAdmin):
    """Students' appeals: read the decision and the explanation, then uphold or overturn (which
    lifts the sanction); the student is told either way."""

    list_display = ("id", "student", "sanction_kind", "rule", "status", "created_at", "overdue")
    list_filter = ("status", "sanction__kind", "sanction__rule", OverdueFilter)
    search_fields = ("sanction__user__email",)
    readonly_fields = ("student", "sanction_kind", "rule", "sanction_decided", "sanction_ends", "text", "status")
    readonly_fields += ("created_at", "decided_at", "decided_by_label", "decision_reason")
    fields = readonly_fields
    empty_value_display = "—"
    open_statuses = (AppealStatus.OPEN,)
    related = ("sanction__user",)
    actions = (
        _decide(AppealStatus.UPHELD, _("Uphold the decision")),
        _decide(AppealStatus.OVERTURNED, _("Overturn the decision (lifts the sanction)")),
    )

    @admin.display(description=_("student"), ordering="sanction__user__email")
    def student(self, obj) -> str:
        return obj.sanction.user.email

    @admin.display(description=_("sanction"), ordering="sanction__kind")
    def sanction_kind(self, obj) -> str:
        return obj.sanction.get_kind_display()

    @admin.display(description=_("rule broken"), ordering="sanction__rule")
    def rule(self, obj) -> str:
        return obj.sanction.get_rule_display()

    @admin.display(description=_("sanction decided at"))
    def sanction_decided(self, obj) -> str:
        return _when(obj.sanction.created_at)

    @admin.display(description=_("sanction ends at"))
    def sanction_ends(self, obj) -> str:
        return _when(obj.sanction.ends_at)


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    """Every sanction as its student was told about it (read-only: decisions go through the queues)."""

    list_display = ("id", "user", "kind", "rule", "ends_at", "created_at", "lifted_at")
    list_filter = ("kind", "rule")
    search_fields = ("user__email",)
    readonly_fields = ("user", "kind", "rule", "ends_at", "moderator", "created_at", "lifted_at")
    fields = readonly_fields
    empty_value_display = "—"
    list_select_related = ("user",)

    @admin.display(description=_("moderator"))
    def moderator(self, obj) -> str:
        """The moderator's e-mail rather than their id (the row outlives a deleted account: then "—")."""
        return get_user_model().objects.filter(pk=obj.moderator_id).values_list("email", flat=True).first() or "—"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
