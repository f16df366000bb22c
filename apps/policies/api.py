from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.views import client_ip
from apps.policies import selectors, services


class PolicyVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    published_at = serializers.DateTimeField()


class PolicyListApi(APIView):
    """Every document's current version, in the request's language (public)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=PolicyVersionSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(PolicyVersionSerializer(list(selectors.policy_current_all().values()), many=True).data)


class ConsentApi(APIView):
    """What the signed-in student must accept, and accepting it (the exact versions shown)."""

    class InputSerializer(serializers.Serializer):
        version_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=10)

    class OutputSerializer(serializers.Serializer):
        accepted = serializers.BooleanField()
        required = PolicyVersionSerializer(many=True)

    def _status(self, request: Request) -> dict:
        return {
            "accepted": not selectors.consent_missing_user_ids(user_ids=[request.user.pk]),
            "required": selectors.consent_versions_current(),
        }

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(self._status(request)).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.policies_accept(
            user_id=request.user.pk, version_ids=serializer.validated_data["version_ids"], ip_address=client_ip(request) or None
        )
        status = {"accepted": True, "required": selectors.consent_versions_current()}
        return Response(self.OutputSerializer(status).data)
