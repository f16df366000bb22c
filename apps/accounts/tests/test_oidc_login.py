"""Single sign-on through the real provider, driven in-process with Django's test client."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth.models import Group

from apps.accounts.models import User
from apps.accounts.tests.factories import make_user
from apps.accounts.tests.oidc_support import ACCOUNTS, TESTSERVER

pytestmark = pytest.mark.django_db


def sign_in(client, provider, account, *, cancel=False, next_url=None):
    """Press "sign in with Cognito", pass the provider's login, land on our callback."""
    start = client.get("/oidc/authenticate/", {"next": next_url} if next_url else {})
    assert start.status_code == 302
    back = provider.follow(requests.Session(), start["Location"], account, cancel=cancel)
    assert back.startswith(f"{TESTSERVER}/oidc/callback/?")
    return client.get(back.removeprefix(TESTSERVER))


def test_first_sign_in_creates_the_user_with_subject_and_roles(client, oidc_settings):
    response = sign_in(client, oidc_settings, ACCOUNTS["admin"])

    assert response.status_code == 302
    assert response["Location"] == "/events/"
    user = User.objects.get(email="admin-sso@matchminds.test")
    assert (user.oidc_sub, user.is_staff, user.is_superuser, user.has_usable_password()) == ("sub-admin", True, True, False)
    assert list(user.groups.values_list("name", flat=True)) == ["moderators"]
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(client, oidc_settings):
    response = client.get("/oidc/authenticate/")

    query = parse_qs(urlparse(response["Location"]).query)
    assert response["Location"].startswith(f"{oidc_settings.issuer}/auth?")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["scope"] == ["openid email"]
    (state,) = query["state"]
    assert client.session["oidc_states"][state]["nonce"] == query["nonce"][0]
    assert len(client.session["oidc_states"][state]["code_verifier"]) == 64


def test_sign_in_rotates_the_session_key(client, oidc_settings):
    client.get("/oidc/authenticate/")
    key_before = client.session.session_key
    start = client.get("/oidc/authenticate/")
    back = oidc_settings.follow(requests.Session(), start["Location"], ACCOUNTS["student"])
    assert client.session.session_key == key_before

    client.get(back.removeprefix(TESTSERVER))

    assert client.session.session_key != key_before
    assert client.session["_auth_user_backend"] == "apps.accounts.oidc.OIDCBackend"


def test_sign_in_returns_to_the_page_asked_for(client, oidc_settings):
    response = sign_in(client, oidc_settings, ACCOUNTS["student"], next_url="/accounts/profile/")

    assert response["Location"] == "/accounts/profile/"


def test_sign_in_links_an_existing_local_account_by_verified_email_and_revokes_roles_no_longer_granted(client, oidc_settings):
    user = make_user(email="Student@snu.ac.kr")
    user.is_staff = user.is_superuser = True
    user.save()
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])

    response = sign_in(client, oidc_settings, ACCOUNTS["student"])

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.oidc_sub, user.is_staff, user.is_superuser) == ("sub-student", False, False)
    assert list(user.groups.all()) == []
    assert user.has_usable_password()
    assert User.objects.count() == 1


def test_each_group_maps_to_its_role(client, oidc_settings):
    sign_in(client, oidc_settings, ACCOUNTS["staff"])
    client.logout()
    sign_in(client, oidc_settings, ACCOUNTS["moderator"])

    staff = User.objects.get(oidc_sub="sub-staff")
    moderator = User.objects.get(oidc_sub="sub-moderator")
    assert (staff.is_staff, staff.is_superuser, list(staff.groups.values_list("name", flat=True))) == (True, False, [])
    assert (moderator.is_staff, moderator.is_superuser, list(moderator.groups.values_list("name", flat=True))) == (
        False,
        False,
        ["moderators"],
    )


def test_the_group_mapping_comes_from_settings(client, oidc_settings, settings):
    settings.OIDC_GROUP_ROLES = {"participant": "staff"}

    sign_in(client, oidc_settings, ACCOUNTS["admin"])

    user = User.objects.get(oidc_sub="sub-admin")
    assert (user.is_staff, user.is_superuser, user.groups.count()) == (True, False, 0)


def test_an_unverified_email_gets_a_clear_error_page_and_no_account(client, oidc_settings):
    response = sign_in(client, oidc_settings, ACCOUNTS["unverified"])

    assert response.status_code == 403
    assert response.context["code"] == "email_unverified"
    assert response.context["message"] == "이메일 주소가 아직 인증되지 않았어요. 받은 인증번호로 확인한 뒤 다시 로그인해 주세요."
    assert b'href="/accounts/login/"' in response.content
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_a_missing_email_gets_a_clear_error_page(client, oidc_settings):
    response = sign_in(client, oidc_settings, ACCOUNTS["no_email"])

    assert response.status_code == 403
    assert response.context["code"] == "email_missing"
    assert not User.objects.exists()


def test_a_cancelled_login_gets_a_clear_page_with_a_way_back(client, oidc_settings):
    response = sign_in(client, oidc_settings, None, cancel=True)

    assert response.status_code == 200
    assert response.context["code"] == "cancelled"
    assert b'href="/accounts/login/"' in response.content
    assert "_auth_user_id" not in client.session


def test_a_replayed_callback_is_refused(client, oidc_settings):
    start = client.get("/oidc/authenticate/")
    back = oidc_settings.follow(requests.Session(), start["Location"], ACCOUNTS["student"]).removeprefix(TESTSERVER)
    client.get(back)
    client.logout()

    response = client.get(back)

    assert response.status_code == 400
    assert response.context["code"] == "login_expired"
    assert "_auth_user_id" not in client.session


def test_a_forged_nonce_fails_the_security_check(client, oidc_settings):
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["nonce"] = "forged-nonce"
    session.save()
    back = oidc_settings.follow(requests.Session(), start["Location"], ACCOUNTS["student"])

    response = client.get(back.removeprefix(TESTSERVER))

    assert response.status_code == 400
    assert response.context["code"] == "security_check_failed"
    assert not User.objects.exists()


def test_an_answer_naming_another_issuer_is_refused(client, oidc_settings):
    start = client.get("/oidc/authenticate/")
    back = oidc_settings.follow(requests.Session(), start["Location"], ACCOUNTS["student"])

    response = client.get(back.removeprefix(TESTSERVER).replace("iss=http", "iss=https"))

    assert response.status_code == 400
    assert response.context["code"] == "security_check_failed"


def test_an_email_already_linked_to_another_subject_is_refused(client, oidc_settings):
    user = make_user(email="student@snu.ac.kr")
    User.objects.filter(pk=user.pk).update(oidc_sub="someone-else")

    response = sign_in(client, oidc_settings, ACCOUNTS["student"])

    assert response.status_code == 409
    assert response.context["code"] == "account_conflict"


def test_a_deactivated_account_cannot_sign_in(client, oidc_settings):
    sign_in(client, oidc_settings, ACCOUNTS["student"])
    client.logout()
    User.objects.filter(oidc_sub="sub-student").update(is_active=False)

    response = sign_in(client, oidc_settings, ACCOUNTS["student"])

    assert response.status_code == 403
    assert response.context["code"] == "account_disabled"


def test_an_unreachable_provider_gets_a_clear_page(client, oidc_settings, settings):
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"

    response = client.get("/oidc/authenticate/")

    assert response.status_code == 502
    assert response.context["code"] == "provider_error"
    assert b'href="/accounts/login/"' in response.content


def test_single_sign_on_routes_do_not_exist_when_it_is_off(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_logout_ends_the_provider_session_too(client, oidc_settings):
    sign_in(client, oidc_settings, ACCOUNTS["student"])

    response = client.post("/accounts/logout/")

    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{oidc_settings.issuer}/session/end"
    assert parse_qs(location.query) == {"client_id": ["matchminds-web"], "post_logout_redirect_uri": [f"{TESTSERVER}/"]}
    assert "_auth_user_id" not in client.session


def test_logout_uses_cognitos_logout_endpoint_when_configured(client, oidc_settings, settings):
    settings.OIDC_OP_LOGOUT_URL = "https://matchminds.auth.ap-northeast-2.amazoncognito.com/logout"
    settings.OIDC_LOGOUT_REDIRECT_PARAM = "logout_uri"
    sign_in(client, oidc_settings, ACCOUNTS["student"])

    response = client.post("/accounts/logout/")

    assert response["Location"] == (
        "https://matchminds.auth.ap-northeast-2.amazoncognito.com/logout"
        "?client_id=matchminds-web&logout_uri=http%3A%2F%2Ftestserver%2F"
    )


def test_a_local_users_logout_stays_local(client, oidc_settings):
    client.force_login(make_user(), backend="django.contrib.auth.backends.ModelBackend")

    response = client.post("/accounts/logout/")

    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
