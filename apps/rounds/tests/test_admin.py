"""The console's audit log in the admin reads in words and local time, not stored JSON."""

import pytest
from django.test import Client
from django.utils import translation

from apps.accounts.tests.factories import make_user
from apps.rounds import console, services
from apps.rounds.admin import state_text
from apps.rounds.models import ConsoleAction, Round
from apps.rounds.tests.factories import checked_in_students, make_rounds_event

STATE = {
    "event_state": "live",
    "round": 1,
    "phase": "talking",
    "paused": True,
    "version": 2,
    "ends_at": "2026-12-06T22:35:48.733159+00:00",
    "break_ends_at": "2026-12-06T22:36:18.733159+00:00",
}


def test_a_console_state_reads_as_the_organizer_saw_it_in_korean_time():
    with translation.override("ko"):
        assert state_text(STATE) == "1라운드 · 대화 중 · 일시정지됨 · 대화 끝 오전 7:35 · 쉬는 시간 끝 오전 7:36 · 이벤트 진행 중"
    with translation.override("en"):
        assert state_text(STATE) == "Round 1 · Talking · Paused · talk ends 7:35 a.m. · break ends 7:36 a.m. · event Live"
    assert state_text({}) == "—"


@pytest.mark.django_db
def test_the_console_action_change_page_shows_no_json_ids_or_utc():
    event = make_rounds_event(name="봄 스피드 미팅")
    checked_in_students(event, "MF")
    services.clock_tick(event_id=event.pk)
    staff = make_user(email="organizer@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    round_ = Round.objects.get(event=event)
    console.console_act(staff_id=staff.pk, event_id=event.pk, action="extend", round_id=round_.pk, version=round_.version)
    client = Client()
    client.force_login(staff)

    html = client.get(f"/admin/rounds/consoleaction/{ConsoleAction.objects.get().pk}/change/").content.decode()

    assert "1라운드 · 대화 중 · 대화 끝 " in html and "1분 연장" in html
    assert '"phase"' not in html and "+00:00" not in html and "extend by" not in html
