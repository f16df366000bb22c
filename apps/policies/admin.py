from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.errors import DomainError
from apps.policies import services
from apps.policies.models import PolicyAcceptance, PolicyVersion

EDITABLE_FIELDS = ["title_ko", "title_en", "body_ko", "body_en", "changes_ko", "changes_en"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Staff write a new version as a draft (a copy of the current one to start from), then
    publish it. A published version is read-only here and in the database."""

    list_display = ["kind", "version", "title_ko", "published_at", "acceptance_count"]
    list_filter = ["kind", ("published_at", admin.EmptyFieldListFilter)]
    ordering = ["kind", "-version"]
    actions = ["publish", "copy_as_draft"]

    def get_fields(self, request, obj=None):
        return ["kind", "version", *EDITABLE_FIELDS, "published_at"] if obj else ["kind", *EDITABLE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.is_published:
            return ["kind", "version", *EDITABLE_FIELDS, "published_at"]
        return ["kind", "version", "published_at"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.policy_draft_create(kind=obj.kind, **{field: getattr(obj, field) for field in EDITABLE_FIELDS})
        obj.pk, obj.version = created.pk, created.version

    @admin.display(description=_("acceptances"))
    def acceptance_count(self, obj) -> int:
        return obj.acceptances.count()

    @admin.action(description=_("Publish the selected drafts now"))
    def publish(self, request, queryset):
        published = 0
        for version in queryset.order_by("kind", "version"):
            try:
                services.policy_publish(version_id=version.pk)
            except DomainError as error:
                self.message_user(request, f"{version}: {error.message}", messages.ERROR)
            else:
                published += 1
        if published:
            message = ngettext("%(count)d version published.", "%(count)d versions published.", published)
            self.message_user(request, message % {"count": published}, messages.SUCCESS)

    @admin.action(description=_("Start a new draft from the selected version"))
    def copy_as_draft(self, request, queryset):
        for version in queryset:
            draft = services.policy_draft_from(version=version)
            self.message_user(request, _("Draft %(draft)s created.") % {"draft": draft}, messages.SUCCESS)


@admin.register(PolicyAcceptance)
class PolicyAcceptanceAdmin(admin.ModelAdmin):
    """Proof of consent: read-only."""

    list_display = ["user", "version", "accepted_at", "ip_address"]
    list_filter = ["version"]
    search_fields = ["user__email"]
    list_select_related = ["user", "version"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
