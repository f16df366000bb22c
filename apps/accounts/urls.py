from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from apps.accounts import settings_views, verification_views, views
from apps.accounts.forms import LanguageAwarePasswordResetForm
from apps.accounts.views import local_accounts_only

app_name = "accounts"

password_reset = auth_views.PasswordResetView.as_view(
    form_class=LanguageAwarePasswordResetForm,
    template_name="accounts/password_reset.html",
    email_template_name="accounts/email/password_reset.txt",
    success_url=reverse_lazy("accounts:password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html", success_url=reverse_lazy("accounts:password-reset-complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")

urlpatterns = [
    path("signup/", local_accounts_only(views.signup), name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile_edit, name="profile"),
    path("profile/photo/", views.photo_upload, name="photo-upload"),
    path("photos/<int:user_id>/<str:key>/", views.photo, name="photo"),
    path("verify/", views.university_verify, name="verify"),
    path("confirm-email/resend/", verification_views.confirm_email_resend, name="confirm-email-resend"),
    path("confirm-email/<str:token>/", verification_views.confirm_email, name="confirm-email"),
    path("identity/", verification_views.identity_check, name="identity"),
    path("identity/callback/", verification_views.identity_callback, name="identity-callback"),
    path("settings/", settings_views.account_settings, name="settings"),
    path("settings/language/", settings_views.language_save, name="settings-language"),
    path("settings/notifications/", settings_views.notifications_save, name="settings-notifications"),
    path("settings/email/", settings_views.email_change, name="settings-email"),
    path("settings/email/resend/", settings_views.email_change_resend, name="settings-email-resend"),
    path("settings/password/", settings_views.password_change, name="settings-password"),
    path("email/confirm/<str:token>/", settings_views.email_change_confirm, name="email-confirm"),
    path("unsubscribe/<str:token>/", settings_views.unsubscribe, name="unsubscribe"),
    path("password-reset/", local_accounts_only(password_reset), name="password-reset"),
    path("password-reset/sent/", local_accounts_only(password_reset_done), name="password-reset-done"),
    path("reset/<uidb64>/<token>/", local_accounts_only(password_reset_confirm), name="password-reset-confirm"),
    path("reset/done/", local_accounts_only(password_reset_complete), name="password-reset-complete"),
]
