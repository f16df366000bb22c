"""Demo data for `make run`: one live event, a staff account and ~20 students."""

import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.accounts import services as account_services
from apps.accounts.models import Interest, University, User
from apps.events.models import Event

DEMO_PASSWORD = "matchminds-demo"  # noqa: S105 - printed demo login, local data only
ADMIN_EMAIL = "admin@matchminds.local"
NICKNAMES = [
    "봄날",
    "바다",
    "하늘",
    "별빛",
    "노을",
    "햇살",
    "구름",
    "달빛",
    "소나기",
    "무지개",
    "민트",
    "라떼",
    "모카",
    "쿠키",
    "마카롱",
    "토끼",
    "고양이",
    "여우",
    "펭귄",
    "다람쥐",
]


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the logins."

    def handle(self, *args, **options):
        rng = random.Random(2026)
        with transaction.atomic():
            admin = User.objects.filter(email=ADMIN_EMAIL).first()
            if admin is None:
                User.objects.create_superuser(email=ADMIN_EMAIL, password=DEMO_PASSWORD)
            now = timezone.now()
            event, _ = Event.objects.get_or_create(
                name="전국 대학생 라이브 미팅",
                defaults={
                    "slug": "nationwide-live",
                    "description": "지금 바로 전국의 대학생과 만나 보세요! / Meet students from all over Korea, live.",
                    "starts_at": now - timedelta(hours=1),
                    "ends_at": now + timedelta(days=30),
                    "nationwide": True,
                },
            )
            Event.objects.get_or_create(
                name="서울 캠퍼스 나이트",
                defaults={
                    "slug": "seoul-campus-night",
                    "description": "서울 지역 대학생 전용 이벤트 / For students in Seoul.",
                    "signup_capacity": 100,
                    "starts_at": now + timedelta(days=2),
                    "ends_at": now + timedelta(days=2, hours=3),
                    "nationwide": False,
                    "regions": ["seoul"],
                    "require_verified": True,
                },
            )
            universities = list(University.objects.all())
            interests = list(Interest.objects.all())
            emails = []
            for index, nickname in enumerate(NICKNAMES, start=1):
                email = f"student{index:02d}@matchminds.local"
                emails.append(email)
                if User.objects.filter(email=email).exists():
                    continue
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
                gender = "F" if index % 2 else "M"
                university = universities[index % len(universities)]
                account_services.profile_save(
                    user=user,
                    nickname=nickname,
                    gender=gender,
                    seeking="M" if gender == "F" else "F",
                    birth_date=date(2000 + index % 5, 1 + index % 12, 1 + index % 27),
                    university_id=university.pk,
                    region=university.region,
                    interest_ids=[interest.pk for interest in rng.sample(interests, 4)],
                    bio="안녕하세요! 반가워요.",
                )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Live event: {event.name} (id {event.pk})"))
        self.stdout.write(f"  staff:    {ADMIN_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  students: {emails[0]} … {emails[-1]} / {DEMO_PASSWORD}")
