from django.urls import path

from apps.moderation import api, api_notices

urlpatterns = [
    path("safety/reports/", api.ReportApi.as_view(), name="api-reports"),
    path("safety/blocks/", api.BlockApi.as_view(), name="api-blocks"),
    path("safety/blocks/<int:user_id>/", api.BlockDetailApi.as_view(), name="api-block"),
    path("safety/hidden-words/", api.HiddenWordsApi.as_view(), name="api-hidden-words"),
    path("safety/notices/", api_notices.NoticeListApi.as_view(), name="api-notices"),
    path("safety/appeals/", api_notices.AppealApi.as_view(), name="api-appeals"),
]
