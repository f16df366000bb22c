"""Bearer access tokens from the real provider on the JSON API."""

import base64
import json
import time

import pytest
from rest_framework.test import APIClient

from apps.accounts import oidc
from apps.accounts.services import user_oidc_sign_in
from apps.accounts.tests.oidc_support import (
    ACCOUNTS,
    API_RESOURCE,
    CLIENT_ID,
    OTHER_CLIENT_ID,
    OTHER_CLIENT_REDIRECT,
    OTHER_CLIENT_SECRET,
    OTHER_RESOURCE,
    run_oidc_provider,
    signing_key,
)

pytestmark = pytest.mark.django_db


def link(account):
    """The account exists as it would after its first sign-in on the website."""
    return user_oidc_sign_in(subject=account.sub, email=account.email, email_verified=True, groups=account.groups)


def call_me(token: str):
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def assert_rejected(response, code: str, message: str) -> None:
    assert response.status_code == 401
    assert response.json() == {"error": {"code": code, "message": message}}
    assert response["WWW-Authenticate"] == 'Bearer realm="MatchMinds", error="invalid_token"'


def test_a_valid_access_token_authenticates_the_linked_user(oidc_settings):
    user = link(ACCOUNTS["admin"])

    response = call_me(oidc_settings.access_token(ACCOUNTS["admin"]))

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "admin-sso@matchminds.test",
        "roles": ["admin", "moderator", "staff"],
        "single_sign_on": True,
    }


def test_a_bearer_request_needs_no_csrf_token(oidc_settings):
    link(ACCOUNTS["student"])
    client = APIClient(enforce_csrf_checks=True)

    response = client.put(
        "/api/v1/profile/", {}, format="json", HTTP_AUTHORIZATION=f"Bearer {oidc_settings.access_token(ACCOUNTS['student'])}"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_an_expired_token_is_refused(oidc_settings, settings):
    settings.OIDC_API_LEEWAY_S = 0
    link(ACCOUNTS["expiring"])
    token = oidc_settings.access_token(ACCOUNTS["expiring"])
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["exp"] - claims["iat"] == 1
    time.sleep(max(0.0, claims["exp"] + 1 - time.time()))

    assert_rejected(call_me(token), "token_expired", "The access token has expired.")


def test_a_token_for_another_app_client_is_refused(oidc_settings):
    link(ACCOUNTS["student"])
    token = oidc_settings.access_token(
        ACCOUNTS["student"], client_id=OTHER_CLIENT_ID, client_secret=OTHER_CLIENT_SECRET, redirect_uri=OTHER_CLIENT_REDIRECT
    )

    assert_rejected(call_me(token), "token_wrong_audience", "The access token is meant for another application.")


def test_with_the_aud_claim_the_audience_is_the_api(oidc_settings, settings):
    settings.OIDC_API_AUDIENCE_CLAIM = "aud"
    settings.OIDC_API_AUDIENCES = [API_RESOURCE]
    link(ACCOUNTS["student"])

    ours = call_me(oidc_settings.access_token(ACCOUNTS["student"], resource=API_RESOURCE))
    theirs = call_me(oidc_settings.access_token(ACCOUNTS["student"], resource=OTHER_RESOURCE))

    assert ours.status_code == 200
    assert_rejected(theirs, "token_wrong_audience", "The access token is meant for another application.")


def test_a_tampered_token_is_refused(oidc_settings):
    link(ACCOUNTS["student"])
    link(ACCOUNTS["admin"])
    header, payload, signature = oidc_settings.access_token(ACCOUNTS["student"]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = ACCOUNTS["admin"].sub
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    assert_rejected(
        call_me(f"{header}.{forged}.{signature}"), "token_invalid_signature", "The access token's signature is not valid."
    )


def test_an_id_token_is_not_an_access_token(oidc_settings):
    link(ACCOUNTS["student"])
    id_token = oidc_settings.tokens(ACCOUNTS["student"])["id_token"]

    assert_rejected(call_me(id_token), "token_wrong_audience", "The access token is meant for another application.")


def test_a_token_of_someone_who_never_signed_in_is_refused(oidc_settings):
    response = call_me(oidc_settings.access_token(ACCOUNTS["stranger"]))

    assert_rejected(
        response, "unknown_user", "No active MatchMinds account belongs to this token. Sign in on the website once first."
    )


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Bearer a b", "Bearer"])
def test_a_malformed_bearer_header_is_refused(oidc_settings, header):
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_malformed"


def test_bearer_tokens_are_refused_while_single_sign_on_is_off():
    response = call_me("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")

    assert_rejected(response, "bearer_disabled", "This server does not accept bearer tokens.")


def test_requests_without_credentials_keep_the_session_answer():
    response = APIClient().get("/api/v1/me/")

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


def test_a_rotated_signing_key_is_fetched_once_and_forged_key_ids_do_not_refetch(settings):
    old_key, new_key = signing_key("key-2024"), signing_key("key-2025")
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_ENABLED = True
    settings.OIDC_API_AUDIENCES = [CLIENT_ID]
    settings.OIDC_JWKS_MIN_REFETCH_S = 0
    link(ACCOUNTS["student"])
    with run_oidc_provider(keys=[old_key]) as provider:
        settings.OIDC_OP_ISSUER = provider.issuer
        old_token = provider.access_token(ACCOUNTS["student"])
        assert call_me(old_token).status_code == 200
        port, web_port = provider.port, provider.web_port
    # The provider restarts with a new signing key and still publishes the old one.
    with run_oidc_provider(keys=[new_key, old_key], port=port, web_port=web_port) as provider:
        new_token = provider.access_token(ACCOUNTS["student"])
        assert json.loads(base64.urlsafe_b64decode(new_token.split(".")[0] + "=="))["kid"] == "key-2025"
        fetched_before = oidc.signing_keys._fetched_at

        assert call_me(new_token).status_code == 200
        assert call_me(old_token).status_code == 200
        assert oidc.signing_keys._fetched_at > fetched_before

        settings.OIDC_JWKS_MIN_REFETCH_S = 3600
        fetched_at = oidc.signing_keys._fetched_at
        header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": "forged"}).encode()).rstrip(b"=").decode()
        forged = ".".join([header, *new_token.split(".")[1:]])
        assert_rejected(call_me(forged), "token_invalid_signature", "The access token's signature is not valid.")
        assert oidc.signing_keys._fetched_at == fetched_at


def test_log_lines_of_a_bearer_request_carry_its_user(oidc_settings, caplog):
    from apps.core.observability.context import LogContextFilter

    caplog.handler.addFilter(LogContextFilter())
    user = link(ACCOUNTS["student"])
    # Given a bearer request that Django logs (a 400: the body is not an object)
    response = APIClient().put(
        "/api/v1/profile/", [], format="json", HTTP_AUTHORIZATION=f"Bearer {oidc_settings.access_token(ACCOUNTS['student'])}"
    )
    assert response.status_code == 400
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.user_id == user.pk
