"""The local password login: throttled, session rotated, CSRF checked, and switchable off."""

import pytest
from django.test import Client

from apps.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def post_login(client, email, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": email, "password": password}, **extra)


def test_login_rotates_the_session_key(client):
    user = make_user(email="kim@snu.ac.kr")
    client.get("/accounts/login/")
    session = client.session
    session["anything"] = "before login"
    session.save()
    key_before = session.session_key

    response = post_login(client, "kim@snu.ac.kr")

    assert response.status_code == 302
    assert client.session.session_key != key_before
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_needs_the_csrf_token():
    make_user(email="kim@snu.ac.kr")
    client = Client(enforce_csrf_checks=True)

    response = post_login(client, "kim@snu.ac.kr")

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_too_many_attempts_on_one_account_are_throttled_even_with_the_right_password(client, settings):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 3
    make_user(email="kim@snu.ac.kr")
    for _ in range(3):
        assert post_login(client, "KIM@snu.ac.kr", "wrong-password").status_code == 200

    response = post_login(client, "kim@snu.ac.kr")

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= settings.LOGIN_THROTTLE_ACCOUNT_WINDOW_S
    assert response.context["form"].non_field_errors() == ["로그인 시도가 너무 많아요. 15분 후에 다시 시도해 주세요."]
    assert "_auth_user_id" not in client.session
    assert post_login(client, "other@snu.ac.kr", "wrong-password").status_code == 200


def test_too_many_attempts_from_one_address_are_throttled(client, settings):
    settings.LOGIN_THROTTLE_IP_LIMIT = 2
    for number in range(2):
        post_login(client, f"user{number}@snu.ac.kr", "wrong-password")

    response = post_login(client, "user9@snu.ac.kr", "wrong-password")

    assert response.status_code == 429
    assert post_login(client, "user9@snu.ac.kr", "wrong-password", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, settings):
    settings.LOGIN_THROTTLE_IP_LIMIT = 1
    settings.TRUSTED_PROXY_HOPS = 1
    post_login(client, "a@snu.ac.kr", "wrong", HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.7")

    assert post_login(client, "b@snu.ac.kr", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200
    assert post_login(client, "c@snu.ac.kr", "wrong", HTTP_X_FORWARDED_FOR="other, 203.0.113.7").status_code == 429


def test_the_login_page_offers_single_sign_on_when_it_is_on(client, oidc_settings):
    response = client.get("/accounts/login/?next=/events/")

    assert b'href="/oidc/authenticate/?next=/events/"' in response.content
    assert "Cognito" in response.content.decode()
    assert b'name="password"' in response.content


def test_the_login_page_has_no_single_sign_on_when_it_is_off(client):
    assert b"/oidc/authenticate/" not in client.get("/accounts/login/").content


def test_local_accounts_can_be_switched_off(client, oidc_settings, settings):
    settings.LOCAL_LOGIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = ["apps.accounts.oidc.OIDCBackend"]
    make_user(email="kim@snu.ac.kr")

    page = client.get("/accounts/login/")
    attempt = post_login(client, "kim@snu.ac.kr")

    assert b"/oidc/authenticate/" in page.content
    assert b'name="password"' not in page.content
    assert attempt.status_code == 403
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/signup/").status_code == 404
    assert client.get("/accounts/password-reset/").status_code == 404


def test_the_admin_signs_in_through_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
