from django.urls import path

from apps.rounds import api

urlpatterns = [
    path("events/<int:event_id>/report/", api.EventReportApi.as_view(), name="api-event-report"),
]
