from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import IdentityVerification, Interest, Profile, University, UniversityDomain, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_active", "is_staff", "date_joined", "last_login"]
    search_fields = ["email", "profile__nickname"]
    fieldsets = (
        (None, {"fields": ("email", "password", "oidc_sub", "email_confirmation_pending", "email_confirmed_at")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class UniversityDomainInline(admin.TabularInline):
    model = UniversityDomain
    extra = 1


@admin.register(University)
class UniversityAdmin(admin.ModelAdmin):
    list_display = ["name_ko", "name_en", "region"]
    list_filter = ["region"]
    search_fields = ["name_ko", "name_en", "domains__domain"]
    inlines = [UniversityDomainInline]


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_ko", "name_en"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["nickname", "user", "gender", "seeking", "university", "region", "photo_status", "university_verified_at"]
    list_filter = ["gender", "photo_status", "region"]
    search_fields = ["nickname", "user__email"]
    autocomplete_fields = ["university"]
    raw_id_fields = ["user"]


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(admin.ModelAdmin):
    """Who the identity check said a student is; read-only (the keyed hash is never shown)."""

    list_display = ["user", "verifier", "name", "birth_date", "gender", "verified_at"]
    list_filter = ["verifier"]
    search_fields = ["user__email", "name"]
    fields = ["user", "verifier", "name", "birth_date", "gender", "verified_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
