"""The account's own settings on the API: language and e-mail preferences, address and password."""

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import credentials, notifications
from apps.accounts.models import Language, NotificationKind

NotificationsSerializer = inline_serializer(
    "Notifications", {kind.value: serializers.BooleanField(help_text=str(kind.label)) for kind in NotificationKind}
)


def _preferences(user) -> dict:
    return {"language": user.language, "notifications": notifications.notification_preferences(user=user)}


class PreferencesApi(APIView):
    """GET the language and which e-mails are on; PATCH any part of it (all or nothing)."""

    class InputSerializer(serializers.Serializer):
        language = serializers.ChoiceField(
            choices=Language.choices, required=False, allow_blank=True, help_text='"" follows the browser (e-mails in Korean).'
        )
        notifications = serializers.DictField(child=serializers.BooleanField(), required=False, allow_empty=True)

        def validate(self, attrs):
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    _("Unknown field: %(fields)s. Known fields: %(known)s.")
                    % {"fields": ", ".join(unknown), "known": ", ".join(self.fields)}
                )
            return attrs

    class OutputSerializer(serializers.Serializer):
        language = serializers.ChoiceField(choices=Language.choices, allow_blank=True)
        notifications = NotificationsSerializer

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(_preferences(request.user))

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            if "notifications" in data:
                notifications.notification_preferences_set(user=request.user, changes=data["notifications"])
            if "language" in data:
                notifications.user_language_set(user=request.user, language=data["language"])
        return Response(_preferences(request.user))


class EmailChangeApi(APIView):
    """POST a new address: a confirmation link goes to it; the address changes once it is opened."""

    class InputSerializer(serializers.Serializer):
        new_email = serializers.EmailField()

    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField(help_text="The address the account uses now.")
        pending_email = serializers.EmailField(allow_null=True, help_text="The address waiting for confirmation.")

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        pending = credentials.email_change_pending(user=request.user)
        return Response({"email": request.user.email, "pending_email": pending.new_email if pending else None})

    @extend_schema(request=InputSerializer, responses={202: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = credentials.email_change_request(user=request.user, new_email=serializer.validated_data["new_email"])
        return Response({"email": request.user.email, "pending_email": change.new_email}, status=202)


class EmailChangeResendApi(APIView):
    @extend_schema(request=None, responses={202: EmailChangeApi.OutputSerializer})
    def post(self, request: Request) -> Response:
        change = credentials.email_change_resend(user=request.user)
        return Response({"email": request.user.email, "pending_email": change.new_email}, status=202)


class PasswordApi(APIView):
    """POST the current and a new password; every other session of the account is signed out."""

    class InputSerializer(serializers.Serializer):
        current_password = serializers.CharField(trim_whitespace=False)
        new_password = serializers.CharField(trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = getattr(request._request, "session", None)
        user = credentials.password_change(
            user=request.user,
            current_password=serializer.validated_data["current_password"],
            new_password=serializer.validated_data["new_password"],
            keep_session_key=session.session_key if session is not None else None,
        )
        if session is not None and session.session_key:
            update_session_auth_hash(request._request, user)
        return Response(status=204)
