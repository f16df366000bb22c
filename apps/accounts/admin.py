from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Interest, Profile, University, UniversityDomain, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_active", "is_staff", "date_joined", "last_login"]
    search_fields = ["email", "profile__nickname"]
    fieldsets = (
        (None, {"fields": ("email", "password", "oidc_sub")}),
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
