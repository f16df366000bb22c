"""The socket's session check must refuse exactly what an HTTP request would refuse."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from apps.accounts.tests.factories import PASSWORD, make_user
from apps.realtime.auth import user_for_session_key

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def logged_in_session_key(user) -> str:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client.cookies["sessionid"].value


def session_with(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return store.session_key


def test_a_logged_in_session_gives_its_user_with_all_fields():
    user = make_user()
    found = user_for_session_key(logged_in_session_key(user))
    assert found.is_authenticated
    assert (found.pk, found.email, found.is_staff, found.is_active) == (user.pk, user.email, False, True)


@pytest.mark.parametrize("session_key", [None, "", "no-such-session"])
def test_no_or_unknown_session_is_anonymous(session_key):
    assert not user_for_session_key(session_key).is_authenticated


def test_an_expired_session_is_anonymous():
    session_key = logged_in_session_key(make_user())
    Session.objects.filter(session_key=session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert not user_for_session_key(session_key).is_authenticated


def test_a_password_change_logs_the_socket_out():
    user = make_user()
    session_key = logged_in_session_key(user)
    user.set_password("another-secret-42")
    user.save()
    assert not user_for_session_key(session_key).is_authenticated


def test_a_session_whose_data_was_tampered_with_is_anonymous():
    user = make_user()
    session_key = logged_in_session_key(user)
    data = Session.objects.get(session_key=session_key).session_data
    Session.objects.filter(session_key=session_key).update(session_data=data[:-3] + "abc")
    assert not user_for_session_key(session_key).is_authenticated


def test_a_session_of_a_disabled_backend_is_anonymous():
    user = make_user()
    session_key = session_with(
        {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "some.removed.Backend", HASH_SESSION_KEY: user.get_session_auth_hash()}
    )
    assert not user_for_session_key(session_key).is_authenticated


@pytest.mark.parametrize("user_id", ["999999999", "not-a-number"])
def test_a_session_naming_no_user_is_anonymous(user_id):
    session_key = session_with({SESSION_KEY: user_id, BACKEND_SESSION_KEY: MODEL_BACKEND, HASH_SESSION_KEY: "x"})
    assert not user_for_session_key(session_key).is_authenticated


def test_a_session_signed_with_a_fallback_secret_still_works(settings):
    user = make_user()
    old_secret = settings.SECRET_KEY
    session_key = logged_in_session_key(user)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-rotated-secret-key-" + "x" * 40, [old_secret]
    assert user_for_session_key(session_key).pk == user.pk
    settings.SECRET_KEY_FALLBACKS = []
    assert not user_for_session_key(session_key).is_authenticated


def test_other_session_engines_use_django_own_check(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    user = make_user()
    session_key = logged_in_session_key(user)
    assert user_for_session_key(session_key).pk == user.pk
