from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from apps.accounts import verification_views, views
from apps.accounts.views import local_accounts_only

app_name = "accounts"

password_reset = auth_views.PasswordResetView.as_view(
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
    path("password-reset/", local_accounts_only(password_reset), name="password-reset"),
    path("password-reset/sent/", local_accounts_only(password_reset_done), name="password-reset-done"),
    path("reset/<uidb64>/<token>/", local_accounts_only(password_reset_confirm), name="password-reset-confirm"),
    path("reset/done/", local_accounts_only(password_reset_complete), name="password-reset-complete"),
]
