from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.moderation import blocks as moderation_blocks
from apps.moderation import reports as moderation_reports
from apps.moderation import text as moderation_text
from apps.moderation.models import ReportReason
from apps.moderation.selectors import blocks_made_by, hidden_words_for_user


class ReportApi(APIView):
    class InputSerializer(serializers.Serializer):
        reported_user_id = serializers.IntegerField(min_value=1)
        reason = serializers.ChoiceField(choices=ReportReason.choices)
        text = serializers.CharField(
            max_length=moderation_reports.REPORT_TEXT_MAX_LENGTH, required=False, allow_blank=True, default=""
        )
        room_id = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
        message_seq = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
        block = serializers.BooleanField(required=False, default=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        blocked = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        also_block = data.pop("block")
        create = moderation_reports.report_and_block if also_block else moderation_reports.report_create
        report = create(reporter=request.user, **data)
        return Response({"id": report.pk, "status": report.status, "blocked": also_block}, status=201)


class BlockApi(APIView):
    class InputSerializer(serializers.Serializer):
        user_id = serializers.IntegerField(min_value=1)

    class OutputSerializer(serializers.Serializer):
        blocked_user_id = serializers.IntegerField()

    class ListOutputSerializer(serializers.Serializer):
        user_id = serializers.IntegerField()
        nickname = serializers.CharField(allow_blank=True)
        blocked_at = serializers.DateTimeField()

    @extend_schema(responses=ListOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The people I blocked, newest first."""
        return Response(self.ListOutputSerializer(blocks_made_by(user_id=request.user.pk), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        block = moderation_blocks.block_create(blocker=request.user, blocked_user_id=serializer.validated_data["user_id"])
        return Response({"blocked_user_id": block.blocked_id}, status=201)


class BlockDetailApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        """Unblock: closed chats stay closed; someone never blocked is a 404 `not_blocked`."""
        moderation_blocks.block_remove(blocker=request.user, blocked_user_id=user_id)
        return Response(status=204)


class HiddenWordsApi(APIView):
    """The words whose messages the user sees collapsed: GET the list, POST to add, DELETE `?word=` to remove."""

    class InputSerializer(serializers.Serializer):
        word = serializers.CharField(max_length=moderation_text.HIDDEN_WORD_MAX_LENGTH)

    class OutputSerializer(serializers.Serializer):
        words = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response({"words": hidden_words_for_user(user_id=request.user.pk)})

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moderation_text.hidden_word_add(user=request.user, word=serializer.validated_data["word"])
        return Response({"words": hidden_words_for_user(user_id=request.user.pk)}, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "word",
                {"type": "string", "minLength": 1, "maxLength": moderation_text.HIDDEN_WORD_MAX_LENGTH},
                required=True,
                description="The hidden word to remove.",
            )
        ],
        request=None,
        responses={200: OutputSerializer},
    )
    def delete(self, request: Request) -> Response:
        # The word comes as a query parameter (a DELETE body is not portable across
        # clients and proxies); a JSON body still works for clients written against it.
        serializer = self.InputSerializer(data=request.query_params if "word" in request.query_params else request.data)
        serializer.is_valid(raise_exception=True)
        moderation_text.hidden_word_remove(user=request.user, word=serializer.validated_data["word"])
        return Response({"words": hidden_words_for_user(user_id=request.user.pk)})
