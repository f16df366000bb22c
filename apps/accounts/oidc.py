"""Single sign-on with the OpenID Connect provider (AWS Cognito in production).

mozilla-django-oidc runs the authorization-code flow (state, nonce, PKCE). This module adds
what it leaves open: endpoints from the issuer's discovery document, a signing-key cache
that follows key rotation, ID-token issuer/audience checks, linking by verified e-mail
with roles from groups, the provider's logout URL, and validation of API access tokens.
"""

import logging
import threading
import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from apps.accounts import services
from apps.core.errors import DomainError

logger = logging.getLogger(__name__)

BACKEND_PATH = "apps.accounts.oidc.OIDCBackend"


class ProviderUnavailable(Exception):
    """The provider's discovery document or keys could not be fetched."""


def _fetch_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {error}") from error


_discovery_lock = threading.Lock()
_discovery_cache: dict[str, tuple[float, dict]] = {}


def provider_metadata() -> dict:
    """The issuer's discovery document, cached per process for OIDC_DISCOVERY_CACHE_S."""
    issuer = settings.OIDC_OP_ISSUER
    with _discovery_lock:
        cached = _discovery_cache.get(issuer)
        if cached and time.monotonic() - cached[0] < settings.OIDC_DISCOVERY_CACHE_S:
            return cached[1]
    metadata = _fetch_json(f"{issuer}/.well-known/openid-configuration")
    if metadata.get("issuer", "").rstrip("/") != issuer:
        raise ProviderUnavailable(f"discovery document names issuer {metadata.get('issuer')!r}, expected {issuer!r}")
    with _discovery_lock:
        _discovery_cache[issuer] = (time.monotonic(), metadata)
    return metadata


_EXPLICIT_ENDPOINTS = {
    "authorization_endpoint": "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "OIDC_OP_TOKEN_ENDPOINT",
    "userinfo_endpoint": "OIDC_OP_USER_ENDPOINT",
    "jwks_uri": "OIDC_OP_JWKS_ENDPOINT",
    "end_session_endpoint": "OIDC_OP_LOGOUT_URL",
}


def provider_endpoint(name: str) -> str:
    """An endpoint from settings when set there, else from discovery ('' if the provider has none)."""
    explicit = getattr(settings, _EXPLICIT_ENDPOINTS[name], "")
    if explicit:
        return explicit
    return provider_metadata().get(name, "")


class SigningKeys:
    """The provider's public keys by key id, refetched when an unknown key id shows up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._source = ""
        self._fetched_at = float("-inf")

    def _refresh(self, jwks_uri: str) -> None:
        try:
            key_set = jwt.PyJWKSet.from_dict(_fetch_json(jwks_uri))
        except jwt.PyJWKSetError as error:
            raise ProviderUnavailable(f"{jwks_uri}: {error}") from error
        keys = {}
        for key in key_set.keys:
            if key.key_id and key.public_key_use in (None, "sig"):
                keys[key.key_id] = key
        self._keys, self._source, self._fetched_at = keys, jwks_uri, time.monotonic()

    def key_for(self, token: str) -> jwt.PyJWK:
        """The key that signed `token` (by its `kid`). Raises jwt.InvalidTokenError or ProviderUnavailable."""
        kid = jwt.get_unverified_header(token).get("kid")
        if not kid:
            raise jwt.InvalidTokenError("the token names no signing key")
        jwks_uri = provider_endpoint("jwks_uri")
        with self._lock:
            age = time.monotonic() - self._fetched_at
            stale = self._source != jwks_uri or age > settings.OIDC_JWKS_CACHE_S
            if stale or (kid not in self._keys and age > settings.OIDC_JWKS_MIN_REFETCH_S):
                self._refresh(jwks_uri)
            key = self._keys.get(kid)
        if key is None:
            raise jwt.InvalidSignatureError("the token is signed with a key the provider does not publish")
        return key


signing_keys = SigningKeys()


def _claim_is_true(value) -> bool:
    # Cognito's userinfo endpoint answers email_verified as the string "true".
    return value is True or (isinstance(value, str) and value.lower() == "true")


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs in the person the provider vouched for; refuses with a reason the callback page shows.

    Endpoints are resolved when a login completes, not at construction: Django builds every
    backend for every local login too, and those must not depend on the provider being up.
    """

    def __init__(self, *args, **kwargs) -> None:
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; a password login that happens to carry
        # ?code=&state= in its URL must never start a token exchange.
        if request is None or "nonce" not in kwargs or not settings.OIDC_ENABLED:
            return None
        request.oidc_failure = None
        self.OIDC_OP_TOKEN_ENDPOINT = provider_endpoint("token_endpoint")
        self.OIDC_OP_USER_ENDPOINT = provider_endpoint("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = provider_endpoint("jwks_uri")
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token):
        try:
            return signing_keys.key_for(token)
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token key: {error}") from error

    def _verify_jws(self, payload, key):
        # mozilla-django-oidc checks the signature and expiry only; OpenID Connect also
        # requires the ID token to come from our issuer and to be meant for our client.
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token rejected: {error}") from error

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        # Cognito puts the groups in the tokens, not at userinfo.
        groups = payload.get(settings.OIDC_GROUPS_CLAIM, userinfo.get(settings.OIDC_GROUPS_CLAIM)) or []
        if isinstance(groups, str):
            groups = [groups]
        try:
            return services.user_oidc_sign_in(
                subject=payload["sub"],
                email=userinfo.get("email") or payload.get("email"),
                email_verified=_claim_is_true(userinfo.get("email_verified", payload.get("email_verified"))),
                groups=groups,
            )
        except DomainError as error:
            self.request.oidc_failure = error
            logger.info("single sign-on refused for subject %s: %s", payload.get("sub"), error.code)
            return None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def provider_logout_url(request) -> str:
    """Where to send the browser so the provider's session ends too (OIDC_OP_LOGOUT_URL_METHOD).

    Falls back to the local landing page when the provider has no logout endpoint or is down.
    """
    landing = resolve_url(settings.LOGOUT_REDIRECT_URL)
    try:
        logout_endpoint = provider_endpoint("end_session_endpoint")
    except ProviderUnavailable:
        logger.warning("provider unavailable; its session is left to expire")
        return landing
    if not logout_endpoint:
        return landing
    query = {"client_id": settings.OIDC_RP_CLIENT_ID, settings.OIDC_LOGOUT_REDIRECT_PARAM: request.build_absolute_uri(landing)}
    return f"{logout_endpoint}?{urlencode(query)}"


class TokenRejected(Exception):
    """An access token was refused; `code` is stable, `message` is translated for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def access_token_claims(token: str) -> dict:
    """The claims of a valid provider access token; raises TokenRejected saying why not.

    Checks the signature against the provider's published keys, the issuer, the expiry, the
    audience (`aud` or Cognito's `client_id`, see OIDC_API_AUDIENCE_CLAIM) and, when
    present, that the token is an access token (Cognito's `token_use`).
    """
    if not settings.OIDC_ENABLED:
        raise TokenRejected("bearer_disabled", _("This server does not accept bearer tokens."))
    try:
        key = signing_keys.key_for(token)
        claims = jwt.decode(
            token,
            key,
            algorithms=[settings.OIDC_RP_SIGN_ALGO],
            issuer=settings.OIDC_OP_ISSUER,
            leeway=settings.OIDC_API_LEEWAY_S,
            options={"require": ["exp", "iss", "sub"], "verify_aud": False},
        )
    except ProviderUnavailable:
        logger.warning("cannot fetch the provider's signing keys", exc_info=True)
        raise TokenRejected("provider_unavailable", _("The sign-in service cannot be reached to check the token.")) from None
    except jwt.ExpiredSignatureError:
        raise TokenRejected("token_expired", _("The access token has expired.")) from None
    except jwt.InvalidSignatureError:
        raise TokenRejected("token_invalid_signature", _("The access token's signature is not valid.")) from None
    except jwt.InvalidIssuerError:
        raise TokenRejected("token_wrong_issuer", _("The access token was issued by another provider.")) from None
    except jwt.InvalidTokenError:
        raise TokenRejected("token_malformed", _("The access token is malformed.")) from None
    if claims.get("token_use", "access") != "access":
        raise TokenRejected("token_not_access", _("Send an access token, not an ID token."))
    audience = claims.get(settings.OIDC_API_AUDIENCE_CLAIM)
    audiences = set(audience) if isinstance(audience, list) else {audience}
    if not audiences & set(settings.OIDC_API_AUDIENCES):
        raise TokenRejected("token_wrong_audience", _("The access token is meant for another application."))
    return claims
