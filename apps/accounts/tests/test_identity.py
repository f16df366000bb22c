"""The identity check against the fake mobile identity service over real HTTP."""

import re
import time
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.utils import timezone, translation

from apps.accounts import identity
from apps.accounts.errors import ErrorCode
from apps.accounts.models import IdentityVerification
from apps.accounts.tests.factories import make_profile
from apps.accounts.tests.identity_provider import HASH_KEY, person_ci, sign
from apps.core.errors import DomainError
from apps.events.errors import ErrorCode as EventErrorCode
from apps.events.models import Event
from apps.events.selectors import event_join_problems

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/identity/callback/"


def _provider_answer(start_url: str, *, name="김민지", birth="20010517", gender="F", phone="01012345678") -> dict[str, str]:
    """Given the provider's address, fill its page as the student would; the fields it posts back."""
    page = requests.get(start_url, timeout=5)
    assert page.status_code == 200 and "휴대폰 본인확인" in page.text
    request_id = parse_qs(urlparse(start_url).query)["request_id"][0]
    answer = requests.post(
        start_url.split("/start")[0] + "/confirm",
        data={
            "request_id": request_id,
            "return_url": CALLBACK,
            "name": name,
            "birth_date": birth,
            "gender": gender,
            "phone": phone,
        },
        timeout=5,
    )
    return {unescape(k): unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', answer.text)}


def test_a_provider_callback_verifies_replaces_the_profile_fields_and_keeps_only_a_keyed_hash(mobile_identity, client):
    profile = make_profile(gender="M", birth_date=date(2000, 1, 1))
    client.force_login(profile.user)
    start = client.post("/accounts/identity/")
    assert start.status_code == 302 and start["Location"].startswith(mobile_identity.url + "/start?")

    fields = _provider_answer(start["Location"], birth="20010517", gender="F")
    response = client.post("/accounts/identity/callback/", fields)

    assert response.status_code == 302 and response["Location"] == "/accounts/identity/"
    verification = IdentityVerification.objects.get(user=profile.user)
    assert (verification.verifier, verification.name, verification.birth_date, verification.gender) == (
        "mobile",
        "김민지",
        date(2001, 5, 17),
        "F",
    )
    ci = person_ci(phone="01012345678", birth_date="20010517")
    assert verification.person_hash == identity.person_hash(ci=ci) != ci
    assert len(verification.person_hash) == 64 and HASH_KEY
    profile.refresh_from_db()
    assert (profile.birth_date, profile.gender) == (date(2001, 5, 17), "F")
    assert identity.user_identity_verified(user_id=profile.user_id)


def test_a_replayed_callback_is_refused_and_changes_nothing(mobile_identity, client):
    profile = make_profile()
    client.force_login(profile.user)
    fields = _provider_answer(client.post("/accounts/identity/").url)
    assert client.post("/accounts/identity/callback/", fields).status_code == 302
    IdentityVerification.objects.filter(user=profile.user).update(name="kept")

    replay = client.post("/accounts/identity/callback/", fields)

    assert replay.status_code == 409
    assert 'data-error="identity_callback_used"' in replay.content.decode()
    assert IdentityVerification.objects.get(user=profile.user).name == "kept"


def test_a_forged_callback_is_refused(mobile_identity, client):
    profile = make_profile()
    client.force_login(profile.user)
    fields = _provider_answer(client.post("/accounts/identity/").url)
    forged = {**fields, "birth_date": "19990101"}  # the signature no longer matches

    response = client.post("/accounts/identity/callback/", forged)

    assert response.status_code == 400
    assert 'data-error="identity_callback_forged"' in response.content.decode()
    assert not IdentityVerification.objects.filter(user=profile.user).exists()
    # Signed with the wrong secret: refused the same way.
    request_id = parse_qs(urlparse(client.post("/accounts/identity/").url).query)["request_id"][0]
    wrong_key = sign(request_id=request_id, ci="someone", secret="not-the-shared-secret")
    assert client.post("/accounts/identity/callback/", wrong_key).status_code == 400
    assert not IdentityVerification.objects.filter(user=profile.user).exists()


def test_an_expired_callback_is_refused(mobile_identity, settings):
    profile = make_profile()
    start_url = identity.identity_start(user=profile.user, return_url=CALLBACK)
    request_id = parse_qs(urlparse(start_url).query)["request_id"][0]
    old = int(time.time()) - settings.IDENTITY_CALLBACK_MAX_AGE_S - 5

    with pytest.raises(DomainError) as refused:
        identity.identity_callback_complete(fields=sign(request_id=request_id, ci="ci-1", issued_at=old), signed_in_user_id=None)

    assert refused.value.code == ErrorCode.IDENTITY_CALLBACK_EXPIRED
    assert not IdentityVerification.objects.exists()


def test_a_second_account_of_the_same_person_is_refused(mobile_identity):
    first, second = make_profile(), make_profile(gender="M", birth_date=date(1999, 3, 3))
    for profile in (first, second):
        request_id = parse_qs(urlparse(identity.identity_start(user=profile.user, return_url=CALLBACK)).query)["request_id"][0]
        fields = sign(request_id=request_id, ci="the-same-person")
        if profile is first:
            identity.identity_callback_complete(fields=fields, signed_in_user_id=profile.user_id)
            continue
        with pytest.raises(DomainError) as refused, translation.override("en"):
            identity.identity_callback_complete(fields=fields, signed_in_user_id=profile.user_id)

    assert refused.value.code == ErrorCode.IDENTITY_TAKEN
    assert "already verified another MatchMinds account" in str(refused.value.message)
    second.refresh_from_db()
    assert (second.gender, second.birth_date) == ("M", date(1999, 3, 3))
    assert not IdentityVerification.objects.filter(user=second.user).exists()


def test_a_callback_started_by_another_account_is_refused(mobile_identity):
    starter, other = make_profile(), make_profile()
    request_id = parse_qs(urlparse(identity.identity_start(user=starter.user, return_url=CALLBACK)).query)["request_id"][0]

    with pytest.raises(DomainError) as refused:
        identity.identity_callback_complete(fields=sign(request_id=request_id, ci="x"), signed_in_user_id=other.user_id)

    assert refused.value.code == ErrorCode.IDENTITY_CALLBACK_FORGED
    assert not IdentityVerification.objects.exists()


def test_verified_birth_date_and_gender_are_locked_on_the_profile(mobile_identity, client):
    profile = make_profile(nickname="잠금", gender="F", birth_date=date(2001, 5, 17))
    request_id = parse_qs(urlparse(identity.identity_start(user=profile.user, return_url=CALLBACK)).query)["request_id"][0]
    identity.identity_callback_complete(fields=sign(request_id=request_id, ci="locked"), signed_in_user_id=None)
    client.force_login(profile.user)

    page = client.get("/accounts/profile/").content.decode()
    response = client.post(
        "/accounts/profile/",
        {
            "nickname": "잠금",
            "gender": "M",
            "seeking": "M",
            "birth_date": "1990-01-01",
            "university": profile.university_id,
            "region": profile.region,
            "bio": "",
        },
    )

    assert re.search(r'<input[^>]*name="birth_date"[^>]*disabled', page)
    assert response.status_code == 302  # disabled fields keep the verified values whatever is posted
    profile.refresh_from_db()
    assert (profile.gender, profile.birth_date) == ("F", date(2001, 5, 17))
    from apps.accounts import services

    with pytest.raises(DomainError) as refused:
        services.profile_save(
            user=profile.user,
            nickname="잠금",
            gender="F",
            seeking="M",
            birth_date=date(1990, 1, 1),
            university_id=profile.university_id,
            region=profile.region,
            interest_ids=[],
        )
    assert (refused.value.code, refused.value.field) == (ErrorCode.IDENTITY_LOCKED, "birth_date")


def test_an_event_that_requires_the_check_refuses_students_without_it(mobile_identity):
    event = Event.objects.create(
        name="본인확인 미팅",
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(hours=1),
        require_identity=True,
    )
    profile = make_profile()

    assert [code for code, _message in event_join_problems(user=profile.user, event=event)] == [EventErrorCode.IDENTITY_REQUIRED]
    request_id = parse_qs(urlparse(identity.identity_start(user=profile.user, return_url=CALLBACK)).query)["request_id"][0]
    identity.identity_callback_complete(fields=sign(request_id=request_id, ci="ok"), signed_in_user_id=None)
    assert event_join_problems(user=profile.user, event=event) == []


def test_self_declared_check_records_the_profile_and_locks_nothing(client):
    profile = make_profile(gender="M", birth_date=date(2000, 2, 2))
    client.force_login(profile.user)

    response = client.post("/accounts/identity/")

    assert response.status_code == 302
    verification = IdentityVerification.objects.get(user=profile.user)
    assert (verification.verifier, verification.person_hash, verification.birth_date) == ("self_declared", None, date(2000, 2, 2))
    assert identity.user_identity_verified(user_id=profile.user_id)
    assert not verification.locks_profile
