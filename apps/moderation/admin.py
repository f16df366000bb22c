"""The moderation queue: pending images, open reports and flagged messages, each with actions
that take a reason and land in the append-only audit log. Items waiting longer than 24 h are
marked overdue."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.core.errors import DomainError
from apps.moderation import images as moderation_images
from apps.moderation import sanctions as moderation_sanctions
from apps.moderation.media import image_signed_url
from apps.moderation.models import (
    AccountStanding,
    BlockedTerm,
    CommunityRule,
    FlaggedContent,
    FlagStatus,
    ImageStatus,
    ModeratedImage,
    ModerationAction,
    Report,
    ReportStatus,
    Standing,
)
from apps.moderation.selectors import _overdue_cutoff, item_is_overdue
from apps.moderation.text_filters import forget_operator_blocklist


class ReasonActionForm(admin.helpers.ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class SanctionActionForm(ReasonActionForm):
    """A sanction names the community rule broken; left empty, the report's or flag's reason picks it."""

    rule = forms.ChoiceField(label=_("Rule broken"), required=False, choices=[("", "—"), *CommunityRule.choices])


class OverdueFilter(admin.SimpleListFilter):
    title = _("waiting time")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", _("Older than 24 h"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(created_at__lt=_overdue_cutoff())
        return queryset


def _run_for_each(modeladmin, request, queryset, call) -> None:
    reason = request.POST.get("reason", "")
    done = 0
    for item in queryset:
        try:
            call(item, reason)
        except DomainError as error:
            modeladmin.message_user(request, f"#{item.pk}: {error.message}", messages.ERROR)
            return
        done += 1
    updated = ngettext("%(count)d item updated.", "%(count)d items updated.", done) % {"count": done}
    modeladmin.message_user(request, updated, messages.SUCCESS)


class QueueAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    list_filter = ("status", OverdueFilter)
    open_statuses: tuple[str, ...] = ()

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(boolean=True, description=_("overdue (>24 h)"))
    def overdue(self, obj) -> bool:
        return item_is_overdue(created_at=obj.created_at, is_open=obj.status in self.open_statuses)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    related: tuple[str, ...] = ()


@admin.register(ModeratedImage)
class ModeratedImageAdmin(QueueAdmin):
    list_display = ("id", "thumbnail", "purpose", "owner", "status", "score_summary", "created_at", "overdue")
    readonly_fields = (
        "thumbnail",
        "owner",
        "purpose",
        "storage_name",
        "room_id",
        "status",
        "backend",
        "scores",
        "reason",
        "decided_at",
    )
    fields = readonly_fields
    actions = ("approve", "reject")
    open_statuses = (ImageStatus.PENDING, ImageStatus.NEEDS_REVIEW)
    related = ("owner",)

    @admin.display(description=_("scores"))
    def score_summary(self, obj) -> str:
        return ", ".join(f"{category} {score:.2f}" for category, score in sorted(obj.scores.items())) or "–"

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        url = image_signed_url(image=obj, viewer_id=self._viewer_id)
        return format_html('<img src="{}" alt="" style="max-height:96px;max-width:96px;border-radius:6px">', url)

    def changelist_view(self, request, extra_context=None):
        self._viewer_id = request.user.pk
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._viewer_id = request.user.pk
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Approve the selected images"))
    def approve(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset,
            lambda image, reason: moderation_images.image_review(
                image_id=image.pk, moderator=request.user, approve=True, reason=reason
            ),
        )

    @admin.action(description=_("Reject the selected images"))
    def reject(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset,
            lambda image, reason: moderation_images.image_review(
                image_id=image.pk, moderator=request.user, approve=False, reason=reason
            ),
        )


def _sanction_actions(resolve):
    """Admin actions dismiss / warn / suspend / ban built on one resolve service."""

    def make(action: str, label):
        def run(modeladmin, request, queryset):
            rule = request.POST.get("rule", "")
            _run_for_each(modeladmin, request, queryset, lambda item, reason: resolve(item, request.user, action, reason, rule))

        run.__name__ = action
        return admin.action(description=label)(run)

    return [
        make("dismiss", _("Dismiss")),
        make("warn", _("Warn the user")),
        make("suspend", _("Suspend the user")),
        make("ban", _("Ban the user")),
    ]


@admin.register(Report)
class ReportAdmin(QueueAdmin):
    list_display = ("id", "reason", "reported_user", "reporter", "status", "created_at", "overdue")
    list_filter = ("status", "reason", OverdueFilter)
    readonly_fields = (
        "reporter",
        "reported_user",
        "reported_user_label",
        "room",
        "reported_message",
        "reason",
        "text",
        "status",
        "created_at",
        "resolved",
        "evidence_snapshot",
    )
    fields = readonly_fields
    open_statuses = (ReportStatus.OPEN,)
    related = ("reporter", "reported_user", "evidence")
    action_form = SanctionActionForm
    actions = _sanction_actions(
        lambda report, moderator, action, reason, rule: moderation_sanctions.report_resolve(
            report_id=report.pk, moderator=moderator, action=action, reason=reason, rule=rule
        )
    )

    class Media:
        css = {"all": ["moderation/admin.css"]}

    @admin.display(description=_("chat room"))
    def room(self, obj):
        return _("chat room no. %(id)d") % {"id": obj.room_id} if obj.room_id else "—"

    @admin.display(description=_("reported message"))
    def reported_message(self, obj):
        return _("message no. %(seq)d") % {"seq": obj.message_seq} if obj.message_seq else _("the whole profile or chat")

    @admin.display(description=_("resolved at"))
    def resolved(self, obj):
        return date_format(localtime(obj.resolved_at), "DATETIME_FORMAT") if obj.resolved_at else "—"

    @admin.display(description=_("evidence"))
    def evidence_snapshot(self, obj):
        evidence = getattr(obj, "evidence", None)
        if evidence is None:
            return _("(purged)")
        return transcript_html(snapshot=evidence.snapshot, reported_seq=obj.message_seq)


def transcript_html(*, snapshot: dict, reported_seq: int | None):
    """The evidence as a conversation a moderator reads: local times, nicknames, the reported line marked."""
    messages_ = snapshot.get("messages") or []
    sender_ids = {message["sender_id"] for message in messages_ if message.get("sender_id")}
    senders = get_user_model().objects.filter(pk__in=sender_ids, profile__isnull=False)
    names = dict(senders.values_list("pk", "profile__nickname"))
    profile = snapshot.get("reported_profile") or {}
    lines = [
        format_html(
            '<li class="{}"><time>{}</time> <strong>{}</strong> {}</li>',
            "reported" if message["seq"] == reported_seq else "",
            date_format(localtime(parse_datetime(message["sent_at"])), "SHORT_DATETIME_FORMAT"),
            names.get(message["sender_id"], _("deleted account")),
            message["body"] if message.get("kind", "text") == "text" else _("(photo)"),
        )
        for message in messages_
    ]
    return format_html(
        '<div class="evidence"><p>{}: <strong>{}</strong> {}</p><ol class="transcript">{}</ol></div>',
        _("Reported profile"),
        profile.get("nickname", "—"),
        profile.get("bio", ""),
        format_html_join("", "{}", ((line,) for line in lines)) if lines else _("No messages."),
    )


@admin.register(FlaggedContent)
class FlaggedContentAdmin(QueueAdmin):
    list_display = ("id", "user", "text", "action", "status", "created_at", "overdue")
    readonly_fields = ("kind", "user", "room_id", "message_seq", "text", "matches", "action", "status", "created_at")
    fields = readonly_fields
    open_statuses = (FlagStatus.OPEN,)
    related = ("user",)
    action_form = SanctionActionForm
    actions = _sanction_actions(
        lambda flag, moderator, action, reason, rule: moderation_sanctions.flag_resolve(
            flag_id=flag.pk, moderator=moderator, action=action, reason=reason, rule=rule
        )
    )


@admin.register(AccountStanding)
class AccountStandingAdmin(admin.ModelAdmin):
    action_form = SanctionActionForm
    list_display = ("user", "standing", "suspended_until", "warnings", "hidden_pending_review", "updated_at")
    list_filter = ("standing", "hidden_pending_review")
    readonly_fields = ("user", "standing", "suspended_until", "warnings", "hidden_pending_review", "updated_at")
    fields = readonly_fields
    actions = _sanction_actions(
        lambda standing, moderator, action, reason, rule: moderation_sanctions.user_sanction(
            user_id=standing.user_id,
            moderator=moderator,
            action="clear" if action == "dismiss" else action,
            reason=reason,
            rule=rule,
        )
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):
    list_display = ("term", "is_active", "note", "created_at")
    list_editable = ("is_active",)
    search_fields = ("term",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_operator_blocklist()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_operator_blocklist()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        forget_operator_blocklist()


AUDIT_ACTION_LABELS = {
    "dismiss": _("Dismiss"),
    "warn": _("Warn the user"),
    "suspend": _("Suspend the user"),
    "ban": _("Ban the user"),
}


def _standing_value(key: str, value) -> str:
    """One value of a standing as staff read it: its label, 예/아니오, a local time, or —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if key == "standing" and value in Standing.values:
        return str(Standing(value).label)
    moment = parse_datetime(value) if isinstance(value, str) else None
    return date_format(localtime(moment), "DATETIME_FORMAT") if moment else str(value)


def _standing_key(key: str) -> str:
    try:
        return str(AccountStanding._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The moderation audit log: who did what to whom and what changed, in words (read-only)."""

    list_display = ("created_at", "actor_label", "action_label", "target", "reason", "change")
    fields = list_display
    readonly_fields = list_display
    list_filter = ("action", "target_type")

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj) -> str:
        return AUDIT_ACTION_LABELS.get(obj.action, obj.action)

    @admin.display(description=_("target"))
    def target(self, obj) -> str:
        return f"{obj.target_type} #{obj.target_id}"

    @admin.display(description=_("change"))
    def change(self, obj) -> str:
        keys = [key for key in obj.after if key != "scores" and obj.before.get(key) != obj.after.get(key)]
        return "; ".join(
            f"{_standing_key(key)}: {_standing_value(key, obj.before.get(key))} → {_standing_value(key, obj.after.get(key))}"
            for key in keys
        )

    search_fields = ("actor_label", "reason")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The appeals queue and the sanctions list live beside this module (it would pass 400 lines);
# importing it here registers them whenever the admin loads.
from apps.moderation import admin_appeals  # noqa: E402, F401
