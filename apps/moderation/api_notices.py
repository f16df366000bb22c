"""The student's moderation notices and appeals over the JSON API (the same services as the page)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.moderation import appeals, notices
from apps.moderation.models import AppealStatus, CommunityRule, NoticeKind, ReportOutcome, SanctionKind
from apps.moderation.notice_pages import notices_page_for_user


class NoticeSanctionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SanctionKind.choices)
    kind_label = serializers.CharField()
    rule = serializers.ChoiceField(choices=CommunityRule.choices, help_text="A stable code of the community rule broken.")
    rule_label = serializers.CharField()
    ends_at = serializers.CharField(help_text="A suspension's end in KST (`2026-12-14 19:00 KST`); empty otherwise.")
    appeal_status = serializers.ChoiceField(choices=[("", ""), *AppealStatus.choices])
    appeal_status_label = serializers.CharField()
    can_appeal = serializers.BooleanField()
    appeal_refusal = serializers.CharField(help_text="Why it can no longer be appealed, when it cannot.")


class NoticeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    title = serializers.CharField()
    created_at = serializers.CharField()
    is_new = serializers.BooleanField()
    report_outcome = serializers.ChoiceField(choices=[("", ""), *ReportOutcome.choices])
    report_outcome_label = serializers.CharField()
    sanction = NoticeSanctionOutputSerializer(allow_null=True)


class NoticeListApi(APIView):
    """The student's newest moderation notices; POST acknowledges them all (the banner goes away)."""

    class OutputSerializer(serializers.Serializer):
        notices = NoticeOutputSerializer(many=True)
        unacknowledged = serializers.IntegerField()

    class AcknowledgedSerializer(serializers.Serializer):
        acknowledged = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        page = notices_page_for_user(user_id=request.user.pk)
        return Response({"notices": page["cards"], "unacknowledged": page["unacknowledged"]})

    @extend_schema(request=None, responses=AcknowledgedSerializer)
    def post(self, request: Request) -> Response:
        return Response({"acknowledged": notices.notices_acknowledge(user_id=request.user.pk)})


class AppealApi(APIView):
    """Appeal one of your sanctions once, while it is in effect (`sanction_not_found`,
    `appeal_exists`, `sanction_expired`, `sanction_lifted`, `appeal_too_late` otherwise)."""

    class InputSerializer(serializers.Serializer):
        sanction_id = serializers.IntegerField(min_value=1)
        text = serializers.CharField(allow_blank=True, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        sanction_id = serializers.IntegerField()
        status = serializers.ChoiceField(choices=AppealStatus.choices)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = appeals.appeal_create(user_id=request.user.pk, **serializer.validated_data)
        return Response({"id": appeal.pk, "sanction_id": appeal.sanction_id, "status": appeal.status}, status=201)
