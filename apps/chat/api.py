from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.chat import rooms as chat_rooms
from apps.chat import safety, selectors
from apps.chat.models import MessageKind, RoomKind


class MessageOutputSerializer(serializers.Serializer):
    room = serializers.IntegerField()
    seq = serializers.IntegerField()
    sender = serializers.IntegerField()
    sender_name = serializers.CharField()
    client_msg_id = serializers.CharField()
    kind = serializers.CharField()
    body = serializers.CharField()
    sent_at = serializers.CharField()
    unread = serializers.IntegerField(required=False)


class RoomPartnerOutputSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    nickname = serializers.CharField()
    photo_url = serializers.CharField(allow_null=True)
    last_read_seq = serializers.IntegerField()


class LastMessageOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MessageKind.choices, help_text="An `image` message's body is the image's id.")
    body = serializers.CharField()
    sent_at = serializers.CharField()


class RoomSummaryOutputSerializer(serializers.Serializer):
    """`selectors.room_summary`: the room list's row, and `room.joined`'s room."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RoomKind.choices)
    title = serializers.CharField()
    is_open = serializers.BooleanField()
    is_archived = serializers.BooleanField(help_text="Closed after CHAT_IDLE_ARCHIVE_DAYS without a message; listed apart.")
    last_seq = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()
    unread = serializers.IntegerField()
    last_message = LastMessageOutputSerializer(allow_null=True)
    partner = RoomPartnerOutputSerializer(
        required=False, help_text="1:1 rooms only; absent once the partner deleted their account."
    )


class RoomListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        rooms = RoomSummaryOutputSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response({"rooms": selectors.room_list_for_user(user_id=request.user.pk)})


class RoomHistoryApi(APIView):
    """Older messages first page by page: pass `before_seq` = the previous page's `next_before_seq`."""

    class InputSerializer(serializers.Serializer):
        before_seq = serializers.IntegerField(min_value=1, required=False)
        limit = serializers.IntegerField(min_value=1, max_value=200, default=settings.CHAT_HISTORY_PAGE_SIZE)

    class OutputSerializer(serializers.Serializer):
        room = serializers.IntegerField()
        messages = MessageOutputSerializer(many=True)
        next_before_seq = serializers.IntegerField(allow_null=True)
        last_seq = serializers.IntegerField()

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request: Request, room_id: int) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = selectors.message_history(
            user_id=request.user.pk,
            room_id=room_id,
            before_seq=params.validated_data.get("before_seq"),
            limit=params.validated_data["limit"],
        )
        return Response(self.OutputSerializer(page).data)


class RoomLeaveApi(APIView):
    class OutputSerializer(serializers.Serializer):
        room = serializers.IntegerField()
        is_open = serializers.BooleanField()

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request: Request, room_id: int) -> Response:
        room = chat_rooms.room_leave(user=request.user, room_id=room_id)
        return Response({"room": room.pk, "is_open": room.is_open})


class ChatImageApi(APIView):
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        room_id = serializers.IntegerField(min_value=1)
        image = serializers.FileField()

    class OutputSerializer(serializers.Serializer):
        image = serializers.IntegerField()
        status = serializers.CharField(help_text="`pending` until the image is screened; it is sent to the room once approved.")

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image = safety.chat_image_upload(
            sender=request.user, room_id=serializer.validated_data["room_id"], upload=serializer.validated_data["image"]
        )
        return Response({"image": image.pk, "status": image.status}, status=201)
