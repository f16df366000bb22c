from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.accounts import settings_views as accounts_settings_views
from apps.accounts import views as accounts_views
from apps.core import api as core_api
from apps.core import views as core_views
from apps.dashboard import views as dashboard_views
from apps.events import views as events_views

admin.site.site_header = _("MatchMinds administration")
admin.site.site_title = _("MatchMinds administration")
admin.site.index_title = _("Run the events")

api_v1 = [
    path("", include("apps.accounts.api_urls")),
    path("", include("apps.events.api_urls")),
    path("", include("apps.matching.api_urls")),
    path("", include("apps.chat.api_urls")),
    path("", include("apps.moderation.api_urls")),
    path("", include("apps.policies.api_urls")),
    path("", include("apps.rounds.api_urls")),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    # Before Django's own: the switcher also saves a signed-in person's choice on the account.
    path("i18n/setlang/", accounts_settings_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI with its start script at ?script, not inline: the page keeps the strict CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="core/api_docs.html"),
        name="api-docs",
    ),
    re_path(r"^api/", core_api.api_not_found),
    path("metrics", dashboard_views.metrics, name="prometheus-metrics"),
    path("admin/dashboard/", include("apps.dashboard.urls")),
    # The organizer console and the post-event report (staff only).
    path("staff/events/", include("apps.rounds.urls")),
    # The admin signs in through the site's login: throttled, and with single sign-on.
    path("admin/login/", core_views.admin_login),
    path("admin/", admin.site.urls),
    path("", events_views.home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("oidc/authenticate/", accounts_views.OIDCLoginStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", accounts_views.OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
    path("events/", include("apps.events.urls")),
    path("embed/events/", include("apps.events.embed_urls")),
    path("chat/", include("apps.chat.urls")),
    # The account's own data, offered on the safety settings page.
    path("safety/account/export/", accounts_views.account_export, name="account-export"),
    path("safety/account/delete/", accounts_views.account_delete, name="account-delete"),
    path("safety/", include("apps.moderation.urls")),
    path("policies/", include("apps.policies.urls")),
]

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
