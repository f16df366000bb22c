from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.events.models import Event
from apps.rounds import report


class ReportRow(serializers.Serializer):
    """One row of the post-event report (definitions: docs/report.md)."""

    scope = serializers.ChoiceField(choices=["event", "round", "university"])
    key = serializers.CharField(allow_blank=True, help_text="The round's number or the university's id; empty for the event.")
    label = serializers.CharField()
    participants = serializers.IntegerField()
    seated = serializers.IntegerField()
    sitouts = serializers.IntegerField()
    proposals = serializers.IntegerField()
    matches = serializers.IntegerField()
    mutual_yes = serializers.IntegerField()
    mutual_yes_rate = serializers.FloatField(allow_null=True)
    median_chat_messages = serializers.FloatField(allow_null=True)
    reports = serializers.IntegerField()


class EventReportApi(APIView):
    """Staff only: the post-event report's rows, the same ones the page and the CSV show."""

    permission_classes = [IsAdminUser]

    class OutputSerializer(serializers.Serializer):
        event = serializers.IntegerField()
        format = serializers.ChoiceField(choices=["queue", "rounds"])
        rows = ReportRow(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, event_id: int) -> Response:
        event = get_object_or_404(Event, pk=event_id)
        payload = {"event": event.pk, "format": event.format, "rows": report.report_dicts(event=event)}
        return Response(self.OutputSerializer(payload).data)
