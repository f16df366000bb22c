from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.events import selectors
from apps.events.models import Event


class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    state = serializers.CharField()
    nationwide = serializers.BooleanField()
    regions = serializers.ListField(child=serializers.CharField(), source="region_list")
    university_ids = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(allow_null=True)
    signup_capacity = serializers.IntegerField(allow_null=True)
    require_verified = serializers.BooleanField()
    require_identity = serializers.BooleanField()
    allow_same_university = serializers.BooleanField()
    accept_timeout_s = serializers.IntegerField()
    max_wait_s = serializers.IntegerField()

    def get_university_ids(self, event: Event) -> list[int]:
        return [university.pk for university in event.universities.all()]


class EventListApi(APIView):
    @extend_schema(responses=EventOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(EventOutputSerializer(selectors.event_list_visible(), many=True).data)


class EventDetailApi(APIView):
    class OutputSerializer(EventOutputSerializer):
        problems = serializers.SerializerMethodField()
        counts = serializers.SerializerMethodField()

        def get_problems(self, event: Event) -> list[dict]:
            user = self.context["request"].user
            return [{"code": code, "message": message} for code, message in selectors.event_join_problems(user=user, event=event)]

        def get_counts(self, event: Event) -> dict:
            return selectors.lobby_counts(event_id=event.pk)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, event_id: int) -> Response:
        event = selectors.event_get(event_id=event_id)
        if event is None:
            event = get_object_or_404(Event, pk=event_id)
        return Response(self.OutputSerializer(event, context={"request": request}).data)
