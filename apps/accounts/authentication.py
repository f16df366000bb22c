"""The JSON API accepts the provider's access tokens as `Authorization: Bearer <token>`."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apps.accounts.oidc import TokenRejected, access_token_claims
from apps.accounts.selectors import user_for_oidc_subject
from apps.core.observability import context as log_context

REALM = "MatchMinds"


class BearerTokenRejected(exceptions.AuthenticationFailed):
    pass


class OIDCBearerAuthentication(BaseAuthentication):
    """Authenticates requests that carry a provider access token; others fall through to the session.

    A request with a bearer token never falls back to its cookies: a bad token is a 401
    with the reason, and the token's requests skip CSRF (no ambient credential is used).
    """

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        request._bearer_presented = True
        if len(parts) != 2:
            self._reject(request, "token_malformed", _("Send the header as 'Authorization: Bearer <token>'."))
        try:
            claims = access_token_claims(parts[1].decode("ascii", errors="replace"))
        except TokenRejected as rejection:
            self._reject(request, rejection.code, rejection.message)
        user = user_for_oidc_subject(subject=claims["sub"])
        if user is None:
            message = _("No active MatchMinds account belongs to this token. Sign in on the website once first.")
            self._reject(request, "unknown_user", message)
        # The session middleware saw no user: log lines (and tasks published) carry this one.
        log_context.bind(user_id=user.pk)
        return user, claims

    def _reject(self, request, code: str, message: str):
        request._bearer_error = code
        raise BearerTokenRejected(detail=message, code=code)

    def authenticate_header(self, request):
        # Only bearer requests get a challenge (and so a 401); session requests keep DRF's 403.
        if not getattr(request, "_bearer_presented", False):
            return None
        error = getattr(request, "_bearer_error", None)
        return f'Bearer realm="{REALM}"' + (', error="invalid_token"' if error else "")
