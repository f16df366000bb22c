from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.matching import selectors, services


class QueueStatusOutputSerializer(serializers.Serializer):
    event = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["waiting", "proposed", "none"])
    position = serializers.IntegerField(allow_null=True)
    waiting = serializers.DictField(child=serializers.IntegerField())
    partners_waiting = serializers.IntegerField()
    eta_s = serializers.IntegerField(allow_null=True)
    long_side = serializers.BooleanField()
    waited_s = serializers.IntegerField()
    max_wait_s = serializers.IntegerField()
    proposal = serializers.IntegerField(required=False)


class EventQueueApi(APIView):
    """The signed-in user's ticket in an event's queue: GET status, POST join, DELETE leave."""

    @extend_schema(responses=QueueStatusOutputSerializer)
    def get(self, request: Request, event_id: int) -> Response:
        return Response(QueueStatusOutputSerializer(selectors.queue_status(event_id=event_id, user_id=request.user.pk)).data)

    @extend_schema(request=None, responses={201: QueueStatusOutputSerializer})
    def post(self, request: Request, event_id: int) -> Response:
        frame = services.queue_join(user=request.user, event_id=event_id)
        return Response(QueueStatusOutputSerializer(frame).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, event_id: int) -> Response:
        services.queue_leave(user_id=request.user.pk, event_id=event_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProposalAnswerOutputSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["accepted", "confirming", "matched", "cancelled", "declined"])


class ProposalAcceptApi(APIView):
    @extend_schema(request=None, responses=ProposalAnswerOutputSerializer)
    def post(self, request: Request, proposal_id: int) -> Response:
        state = services.proposal_respond(user_id=request.user.pk, proposal_id=proposal_id, accept=True)
        return Response({"proposal": proposal_id, "state": state})


class ProposalDeclineApi(APIView):
    @extend_schema(request=None, responses=ProposalAnswerOutputSerializer)
    def post(self, request: Request, proposal_id: int) -> Response:
        state = services.proposal_respond(user_id=request.user.pk, proposal_id=proposal_id, accept=False)
        return Response({"proposal": proposal_id, "state": state})


class MatchListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        event = serializers.IntegerField(source="event_id")
        partner_id = serializers.SerializerMethodField()
        room = serializers.IntegerField(source="room_id", allow_null=True)
        status = serializers.CharField()
        created_at = serializers.DateTimeField()

        def get_partner_id(self, match) -> int:
            user_id = self.context["request"].user.pk
            return match.user_b_id if match.user_a_id == user_id else match.user_a_id

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        matches = selectors.match_list_for_user(user=request.user)
        return Response(self.OutputSerializer(matches, many=True, context={"request": request}).data)
