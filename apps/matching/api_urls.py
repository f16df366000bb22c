from django.urls import path

from apps.matching import api

urlpatterns = [
    path("events/<int:event_id>/queue/", api.EventQueueApi.as_view(), name="api-event-queue"),
    path("proposals/<int:proposal_id>/accept/", api.ProposalAcceptApi.as_view(), name="api-proposal-accept"),
    path("proposals/<int:proposal_id>/decline/", api.ProposalDeclineApi.as_view(), name="api-proposal-decline"),
    path("matches/", api.MatchListApi.as_view(), name="api-matches"),
]
