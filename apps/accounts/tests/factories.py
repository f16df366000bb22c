"""Test data made through the services, as users make it."""

import itertools
from datetime import date

from apps.accounts import email_confirmation, services
from apps.accounts.models import Interest, Profile, University, User
from apps.policies import selectors as policy_selectors
from apps.policies import services as policy_services

_sequence = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(
    *, email: str | None = None, password: str = PASSWORD, confirm_email: bool = True, accept_policies: bool = True
) -> User:
    """A local sign-up; by default it has confirmed its address and accepted the current terms
    and privacy policy, as every student who reaches matching has."""
    user = services.user_sign_up(email=email or f"user{next(_sequence)}@example.com", password=password)
    if confirm_email:
        user = confirm_user_email(user=user)
    if accept_policies:
        accept_current_policies(user=user)
    return user


def confirm_user_email(*, user: User) -> User:
    token = email_confirmation.confirmation_token_make(
        user_id=user.pk, email=user.email, purpose=email_confirmation.PURPOSE_SIGN_UP
    )
    return email_confirmation.sign_up_email_confirm(token=token)


def accept_current_policies(*, user: User, ip_address: str = "203.0.113.7") -> None:
    current = policy_selectors.consent_versions_current()
    if current:
        policy_services.policies_accept(user_id=user.pk, version_ids=[v.pk for v in current], ip_address=ip_address)
        # A test's transaction never commits, so the acceptance's after-commit cache write
        # never runs: asking once caches the answer, as a student's first message would.
        policy_selectors.consent_missing_user_ids(user_ids=[user.pk])


def make_profile(
    *,
    user: User | None = None,
    nickname: str | None = None,
    gender: str = "F",
    seeking: str = "M",
    birth_date: date = date(2001, 5, 17),
    university: University | None = None,
    region: str | None = None,
    interest_slugs: list[str] | None = None,
    bio: str = "",
) -> Profile:
    user = user or make_user()
    university = university or University.objects.get(name_ko="서울대학교")
    interest_ids = list(Interest.objects.filter(slug__in=interest_slugs or []).values_list("pk", flat=True))
    return services.profile_save(
        user=user,
        nickname=nickname or f"nick{next(_sequence)}",
        gender=gender,
        seeking=seeking,
        birth_date=birth_date,
        university_id=university.pk,
        region=region or university.region,
        interest_ids=interest_ids,
        bio=bio,
    )
