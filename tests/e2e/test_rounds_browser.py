"""Two students in two Chromium windows play one full speed-dating round (real daphne, Celery worker, PostgreSQL, Redis).

The test stands in for Celery beat: it sends the clock's tick task to the real worker. It
shortens the round (the shortest allowed is 2 minutes) by moving the round's deadlines closer.
"""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.tests.factories import PASSWORD, make_profile
from apps.matching.models import Match
from apps.matching.tests.conftest import university
from apps.rounds import tasks
from apps.rounds.models import Round, RoundPhase
from apps.rounds.tests.factories import make_rounds_event
from conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# One browser's clock runs five minutes fast: its countdown must still follow the server's.
CLOCK_FIVE_MINUTES_FAST = "(() => { const now = Date.now; Date.now = () => now() + 300000; })();"


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def tick_until(event_id: int, phase: str, *, timeout_s: float = 20) -> Round:
    """Send the clock's tick to the real worker (as beat would every second) until the round reaches `phase`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        tasks.rounds_tick.delay(event_id)
        time.sleep(0.5)
        round_ = Round.objects.filter(event_id=event_id).first()
        if round_ is not None and round_.phase == phase:
            return round_
    raise AssertionError(f"the round did not reach {phase}")


def test_two_students_play_one_full_round_and_both_say_yes(browser, daphne_server, celery_worker_process):
    event = make_rounds_event(name="봄 스피드 미팅", rounds_count=1)
    woman = make_profile(gender="F", seeking="M", university=university("서울대학교"), interest_slugs=[])
    man = make_profile(gender="M", seeking="F", university=university("부산대학교"))
    contexts = [browser.new_context(locale="ko-KR", viewport={"width": 420, "height": 900}) for _ in range(2)]
    contexts[1].add_init_script(CLOCK_FIVE_MINUTES_FAST)
    try:
        pages = []
        for context, profile in zip(contexts, (woman, man), strict=True):
            page = context.new_page()
            log_in(page, daphne_server, profile.user.email)
            page.goto(f"{daphne_server}/events/{event.pk}/")
            page.wait_for_selector("[data-ws-state=connected]")
            # given both press "참가" in the lobby
            page.click("[data-round-checkin]")
            page.wait_for_selector("[data-round-checked-in]:not([hidden])")
            pages.append(page)
        save_screenshot(pages[0], "rounds-1-checked-in")

        # when the clock starts the round, both are taken to the same round chat
        tick_until(event.pk, RoundPhase.TALKING)
        for page in pages:
            page.wait_for_url(re.compile(r"/chat/\d+/$"), timeout=15_000)
        assert pages[0].url == pages[1].url
        now = timezone.now()
        Round.objects.filter(event=event).update(
            started_at=now - timedelta(seconds=110),
            talk_ends_at=now + timedelta(seconds=8),
            break_ends_at=now + timedelta(seconds=60),
        )
        for page in pages:
            page.reload()
            page.wait_for_selector("[data-round-bar]:not([hidden])")
        pages[0].fill("#chat-body", "안녕하세요! 반가워요")
        pages[0].click("[data-composer] button[type=submit]")
        pages[1].wait_for_selector("text=안녕하세요! 반가워요")
        # a phone number before a mutual yes arrives masked, and only the sender is told why
        pages[0].fill("#chat-body", "제 번호 010-1234-5678이에요")
        pages[0].click("[data-composer] button[type=submit]")
        pages[1].wait_for_selector("text=제 번호 *************이에요")
        pages[0].wait_for_selector("[data-image-notices]:has-text('연락처는 서로')")
        assert "연락처는" not in pages[1].text_content("[data-image-notices]")
        # the countdown follows the server's clock, also in the browser whose clock is 5 minutes fast
        for page in pages:
            assert re.fullmatch(r"0:0[0-8] .+", page.text_content("[data-round-countdown]").strip())
            page.wait_for_selector("[data-round-warning]:not([hidden])")
        save_screenshot(pages[1], "rounds-2-countdown-and-warning")

        # then at the deadline the room is read-only for both and the answers open
        time.sleep(max(0.0, (Round.objects.get(event=event).talk_ends_at - timezone.now()).total_seconds()))
        tick_until(event.pk, RoundPhase.ANSWERING)
        for page in pages:
            page.wait_for_selector("[data-round-answer]:not([hidden])", timeout=10_000)
            assert page.is_disabled("#chat-body")
        save_screenshot(pages[0], "rounds-3-read-only-answers")
        for page in pages:
            page.click("[data-round-yes]")
            page.wait_for_selector("[data-round-answer]", state="hidden")

        # and when the break ends, both see the lasting chat and can talk there
        Round.objects.filter(event=event).update(break_ends_at=timezone.now() + timedelta(milliseconds=200))
        tick_until(event.pk, RoundPhase.DONE)
        match = Match.objects.get(event=event)
        for page in pages:
            page.wait_for_selector("[data-round-match]:not([hidden])", timeout=10_000)
            page.click("[data-round-match]")
            page.wait_for_url(f"{daphne_server}/chat/{match.room_id}/")
            page.wait_for_selector("[data-ws-state=connected]")
        pages[1].fill("#chat-body", "또 만나요")
        pages[1].click("[data-composer] button[type=submit]")
        pages[0].wait_for_selector("text=또 만나요")
        assert not pages[0].is_disabled("#chat-body")
        save_screenshot(pages[0], "rounds-4-lasting-chat")
    finally:
        for context in contexts:
            context.close()
