"""Test data made through the services, as users make it."""

import itertools
from datetime import date

from apps.accounts import services
from apps.accounts.models import Interest, Profile, University, User

_sequence = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(*, email: str | None = None, password: str = PASSWORD) -> User:
    return services.user_sign_up(email=email or f"user{next(_sequence)}@example.com", password=password)


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
