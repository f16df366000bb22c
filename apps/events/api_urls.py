from django.urls import path

from apps.events import api

urlpatterns = [
    path("events/", api.EventListApi.as_view(), name="api-events"),
    path("events/<int:event_id>/", api.EventDetailApi.as_view(), name="api-event-detail"),
]
