from django.urls import path

from apps.accounts import account_api, api

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("profile/", api.ProfileApi.as_view(), name="api-profile"),
    path("profile/photo/", api.ProfilePhotoApi.as_view(), name="api-profile-photo"),
    path("profiles/<int:user_id>/", api.PublicProfileApi.as_view(), name="api-public-profile"),
    path("universities/", api.UniversityListApi.as_view(), name="api-universities"),
    path("interests/", api.InterestListApi.as_view(), name="api-interests"),
    path("account/preferences/", account_api.PreferencesApi.as_view(), name="api-account-preferences"),
    path("account/email/", account_api.EmailChangeApi.as_view(), name="api-account-email"),
    path("account/email/resend/", account_api.EmailChangeResendApi.as_view(), name="api-account-email-resend"),
    path("account/password/", account_api.PasswordApi.as_view(), name="api-account-password"),
    path("safety/account/export/", api.AccountExportApi.as_view(), name="api-account-export"),
    path("safety/account/delete/", api.AccountDeleteApi.as_view(), name="api-account-delete"),
]
