"""The OpenAPI description of the JSON API (drf-spectacular), kept true to what the API does.

Client developers generate code from `/api/schema/`, and a contract test fuzzes the API
against it (apps/core/tests/test_api_contract.py), so the schema must name every
component uniquely and describe the error envelope every edge returns.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

DEFAULT_RESPONSE = "default"
ERROR_DESCRIPTION = (
    "Any other status is an error (400 bad input, 401 bad bearer token, 403 not allowed, 404 not found, "
    "409 conflicting state, 413 too large, 429 slow down): the body says which."
)


class ApiErrorSerializer(serializers.Serializer):
    """What `apps.core.api.exception_handler` puts under `error`."""

    code = serializers.CharField(help_text="Stable and machine-readable, e.g. `invalid`, `not_found`, `rate_limited`.")
    message = serializers.CharField(help_text="For people, in the request's language (Korean first).")
    field = serializers.CharField(required=False, help_text="The input at fault, when there is one.")
    fields = serializers.DictField(required=False, help_text="Validation errors: each field's messages.")
    retry_after_s = serializers.IntegerField(required=False, help_text="Set when waiting helps; also sent as Retry-After.")


class ApiErrorEnvelopeSerializer(serializers.Serializer):
    error = ApiErrorSerializer()


class MatchMindsAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction) -> str:
        """`ProfileApi.OutputSerializer` → `ProfileOutput`, its `InputSerializer` → `ProfileRequest`.

        Our API views nest their `InputSerializer` / `OutputSerializer` (one pair per
        endpoint); by class name alone they all became one component named `Output`.
        """
        outer, _dot, inner = type(serializer).__qualname__.rpartition(".")
        if not outer:
            return inner
        endpoint = outer.split(".")[-1].removesuffix("Api")
        # Request bodies get a "Request" suffix (COMPONENT_SPLIT_REQUEST): `ProfileRequest`.
        return endpoint if inner == "InputSerializer" else endpoint + inner

    def _get_response_bodies(self, direction="response"):
        """The endpoint's success responses plus `default`: every other status is the error envelope.

        Overridden here, not in `get_response_serializers`: `@extend_schema(responses=...)`
        replaces that method on each decorated view.
        """
        responses = super()._get_response_bodies(direction)
        if DEFAULT_RESPONSE not in responses:
            error = OpenApiResponse(ApiErrorEnvelopeSerializer, description=ERROR_DESCRIPTION)
            responses[DEFAULT_RESPONSE] = self._get_response_for_code(error, DEFAULT_RESPONSE, direction=direction)
        return responses


class OIDCBearerScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.OIDCBearerAuthentication"
    name = "oidcBearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from the sign-in provider (Amazon Cognito in production).",
        }
