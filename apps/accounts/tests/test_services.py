from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts import services
from apps.accounts.models import Interest, University
from apps.accounts.tests.factories import make_profile, make_user
from apps.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_sign_up_normalises_email_and_refuses_duplicates():
    user = services.user_sign_up(email="  Kim@Example.COM ", password="a-long-enough-password")
    assert user.email == "kim@example.com"
    with pytest.raises(DomainError) as error:
        services.user_sign_up(email="KIM@example.com", password="a-long-enough-password")
    assert error.value.code == "email_taken"


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [("not-an-email", "a-long-enough-password", "invalid_email"), ("ok@example.com", "123", "weak_password")],
)
def test_sign_up_rejects_bad_input(email, password, code):
    with pytest.raises(DomainError) as error:
        services.user_sign_up(email=email, password=password)
    assert error.value.code == code


def test_profile_save_creates_profile_with_interests():
    profile = make_profile(nickname="봄날", interest_slugs=["music", "travel"])
    assert profile.nickname == "봄날"
    assert sorted(profile.interests.values_list("slug", flat=True)) == ["music", "travel"]


@pytest.mark.parametrize(
    ("nickname", "code"), [("a", "invalid_nickname"), ("x" * 21, "invalid_nickname"), ("bad<script>", "invalid_nickname")]
)
def test_profile_save_rejects_bad_nicknames(nickname, code):
    with pytest.raises(DomainError) as error:
        make_profile(nickname=nickname)
    assert error.value.code == code
    assert error.value.field == "nickname"


def test_nickname_is_unique_ignoring_case():
    make_profile(nickname="Sunny")
    with pytest.raises(DomainError) as error:
        make_profile(nickname="sunny")
    assert error.value.code == "nickname_taken"


def test_profile_save_limits_interests_to_ten():
    user = make_user()
    ids = list(Interest.objects.values_list("pk", flat=True)[:11])
    with pytest.raises(DomainError) as error:
        services.profile_save(
            user=user,
            nickname="열하나",
            gender="M",
            seeking="F",
            birth_date=date(2000, 1, 1),
            university_id=University.objects.first().pk,
            region="seoul",
            interest_ids=ids,
        )
    assert error.value.code == "too_many_interests"


def test_profile_save_rejects_future_birth_date_and_long_bio():
    with pytest.raises(DomainError) as error:
        make_profile(birth_date=timezone.localdate() + timedelta(days=1))
    assert error.value.code == "invalid_birth_date"
    with pytest.raises(DomainError) as error:
        make_profile(bio="가" * 301)
    assert error.value.code == "bio_too_long"


def test_social_access_requires_profile_and_adulthood():
    user = make_user()
    with pytest.raises(DomainError) as error:
        services.user_require_social_access(user=user)
    assert error.value.code == "profile_incomplete"

    today = timezone.localdate()
    eighteen = today.replace(year=today.year - 19) + timedelta(days=1)
    make_profile(user=user, birth_date=eighteen)
    with pytest.raises(DomainError) as error:
        services.user_require_social_access(user=user)
    assert error.value.code == "underage"

    adult = make_profile(birth_date=today.replace(year=today.year - 19))
    services.user_require_social_access(user=adult.user)


def test_university_verification_happy_path():
    profile = make_profile(university=University.objects.get(name_ko="연세대학교"))
    services.university_verification_start(user=profile.user, email="student@yonsei.ac.kr")
    assert len(mail.outbox) == 1
    code = next(word for word in mail.outbox[0].body.split() if word.rstrip(".").isdigit() and len(word.rstrip(".")) == 6).rstrip(
        "."
    )
    verified = services.university_verification_confirm(user=profile.user, code=code)
    assert verified.is_university_verified
    assert verified.verified_email == "student@yonsei.ac.kr"


def test_university_verification_rejects_foreign_domain_and_mismatch():
    profile = make_profile(university=University.objects.get(name_ko="연세대학교"))
    with pytest.raises(DomainError) as error:
        services.university_verification_start(user=profile.user, email="someone@gmail.com")
    assert error.value.code == "unknown_university_domain"
    with pytest.raises(DomainError) as error:
        services.university_verification_start(user=profile.user, email="someone@snu.ac.kr")
    assert error.value.code == "university_mismatch"
    assert mail.outbox == []


def test_university_verification_resend_is_throttled():
    profile = make_profile(university=University.objects.get(name_ko="연세대학교"))
    services.university_verification_start(user=profile.user, email="a@yonsei.ac.kr")
    with pytest.raises(DomainError) as error:
        services.university_verification_start(user=profile.user, email="a@yonsei.ac.kr")
    assert error.value.code == "resend_throttled"
    assert 0 < error.value.retry_after_s <= 60
    assert len(mail.outbox) == 1


def test_university_verification_counts_wrong_codes_and_locks_after_five():
    profile = make_profile(university=University.objects.get(name_ko="연세대학교"))
    verification = services.university_verification_start(user=profile.user, email="a@yonsei.ac.kr")
    for remaining in [4, 3, 2, 1, 0]:
        with pytest.raises(DomainError) as error:
            services.university_verification_confirm(user=profile.user, code="000000" if remaining % 2 else "999999")
        assert error.value.code == "wrong_code"
        assert f"{remaining}" in str(error.value.message)
    verification.refresh_from_db()
    assert verification.attempts == 5
    with pytest.raises(DomainError) as error:
        services.university_verification_confirm(user=profile.user, code="123456")
    assert error.value.code == "too_many_attempts"


def test_university_code_expires_after_ten_minutes():
    profile = make_profile(university=University.objects.get(name_ko="연세대학교"))
    verification = services.university_verification_start(user=profile.user, email="a@yonsei.ac.kr")
    verification.expires_at = timezone.now() - timedelta(seconds=1)
    verification.save()
    with pytest.raises(DomainError) as error:
        services.university_verification_confirm(user=profile.user, code="123456")
    assert error.value.code == "code_expired"
