from django.urls import path

from apps.moderation import api

urlpatterns = [
    path("safety/reports/", api.ReportApi.as_view(), name="api-reports"),
    path("safety/blocks/", api.BlockApi.as_view(), name="api-blocks"),
    path("safety/hidden-words/", api.HiddenWordsApi.as_view(), name="api-hidden-words"),
    path("safety/chat-images/", api.ChatImageApi.as_view(), name="api-chat-images"),
    path("safety/account/export/", api.AccountExportApi.as_view(), name="api-account-export"),
    path("safety/account/delete/", api.AccountDeleteApi.as_view(), name="api-account-delete"),
]
