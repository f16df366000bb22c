from django.urls import path

from apps.accounts import api

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("profile/", api.ProfileApi.as_view(), name="api-profile"),
    path("profile/photo/", api.ProfilePhotoApi.as_view(), name="api-profile-photo"),
    path("profiles/<int:user_id>/", api.PublicProfileApi.as_view(), name="api-public-profile"),
    path("universities/", api.UniversityListApi.as_view(), name="api-universities"),
    path("interests/", api.InterestListApi.as_view(), name="api-interests"),
    path("safety/account/export/", api.AccountExportApi.as_view(), name="api-account-export"),
    path("safety/account/delete/", api.AccountDeleteApi.as_view(), name="api-account-delete"),
]
