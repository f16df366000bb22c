"""The organizer console in a browser beside two students' rounds (real daphne, Celery worker, PostgreSQL, Redis, Chromium).

The staff member pauses the round (both students' countdowns show it paused), resumes it
(the countdown runs again, one paused stretch later), skips to the break, both students say
yes, and the staff member ends the event: the match is revealed and the report counts it.
The test stands in for Celery beat by sending the clock's tick task to the real worker.
"""

import re

import pytest

from apps.accounts.tests.factories import make_profile, make_user
from apps.matching.models import Match
from apps.matching.tests.conftest import university
from apps.rounds.models import ConsoleAction, Round, RoundPhase
from apps.rounds.tests.factories import make_rounds_event
from conftest import save_screenshot
from tests.e2e.test_rounds_browser import log_in, tick_until

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

COUNTDOWN = re.compile(r"\d+:\d\d 남음")


def test_the_console_pauses_resumes_skips_and_ends_a_round_while_students_watch(browser, daphne_server, celery_worker_process):
    event = make_rounds_event(name="봄 스피드 미팅", rounds_count=3)
    woman = make_profile(gender="F", seeking="M", university=university("서울대학교"), interest_slugs=[])
    man = make_profile(gender="M", seeking="F", university=university("부산대학교"))
    staff = make_user(email="organizer@example.com")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    contexts = [browser.new_context(locale="ko-KR", viewport={"width": 420, "height": 900}) for _ in range(2)]
    staff_context = browser.new_context(locale="ko-KR", viewport={"width": 1440, "height": 1000})
    try:
        students = []
        for context, profile in zip(contexts, (woman, man), strict=True):
            page = context.new_page()
            log_in(page, daphne_server, profile.user.email)
            page.goto(f"{daphne_server}/events/{event.pk}/")
            page.wait_for_selector("[data-ws-state=connected]")
            page.click("[data-round-checkin]")
            page.wait_for_selector("[data-round-checked-in]:not([hidden])")
            students.append(page)
        console = staff_context.new_page()
        log_in(console, daphne_server, staff.email)
        console.goto(f"{daphne_server}/staff/events/{event.pk}/console/")
        console.wait_for_selector("[data-ws-state=connected]")
        console.wait_for_selector("[data-console='checked_in_total']:has-text('2')")
        assert console.text_content("[data-console='checked_in_m']") == "1"

        # given the clock seats both in round 1
        tick_until(event.pk, RoundPhase.TALKING)
        for page in students:
            page.wait_for_url(re.compile(r"/chat/\d+/$"), timeout=15_000)
            page.wait_for_selector("[data-round-bar]:not([hidden])")
        console.wait_for_selector("[data-console]:not([data-phase=''])[data-phase=talking]", timeout=10_000)
        assert console.text_content("[data-console='pairs']") == "1"
        assert COUNTDOWN.fullmatch(console.text_content("[data-console-countdown]").strip())

        # when the organizer pauses, both students' countdowns show the round paused
        console.click("[data-action=pause]")
        console.wait_for_selector("[data-console][data-paused=true]")
        for page in students:
            page.wait_for_selector("[data-round-bar][data-paused=true]", timeout=10_000)
            assert "잠시 멈췄어요" in page.text_content("[data-round-countdown]")
        assert console.is_enabled("[data-action=resume]") and console.is_disabled("[data-action=pause]")
        save_screenshot(console, "console-1-paused")
        save_screenshot(students[0], "console-2-student-paused")
        paused_deadline = Round.objects.get(event=event).talk_ends_at

        # and when the organizer resumes, the countdowns run again against a deadline moved by the pause
        console.wait_for_timeout(1500)
        console.click("[data-action=resume]")
        for page in students:
            page.wait_for_selector("[data-round-bar][data-paused=false]", timeout=10_000)
            assert COUNTDOWN.fullmatch(page.text_content("[data-round-countdown]").strip())
        assert Round.objects.get(event=event).talk_ends_at > paused_deadline

        # a second console pressing from an old view is told it was already done
        stale = {"type": "console.action", "event": event.pk, "action": "resume", "version": 1, "ref": "console.action"}
        stale["round"] = Round.objects.get(event=event).pk
        console.evaluate("(frame) => window.mmSocket.send(frame)", stale)
        console.wait_for_selector("[data-console-error]:has-text('이미')")

        # skip to the break: the rooms turn read-only and the answers open
        console.click("[data-action=skip]")
        for page in students:
            page.wait_for_selector("[data-round-answer]:not([hidden])", timeout=10_000)
            page.click("[data-round-yes]")
            page.wait_for_selector("[data-round-answer]", state="hidden")
        # end the event: the answers given count and the mutual yes is revealed
        console.on("dialog", lambda dialog: dialog.accept())
        console.click("[data-action=end]")
        console.wait_for_selector("[data-console-countdown]:has-text('이벤트가 끝났어요')", timeout=10_000)
        for page in students:
            page.wait_for_selector("[data-round-match]:not([hidden])", timeout=10_000)
        assert Match.objects.filter(event=event).count() == 1
        assert list(ConsoleAction.objects.filter(error="").order_by("at").values_list("action", flat=True)) == [
            "pause",
            "resume",
            "skip",
            "end",
        ]
        save_screenshot(console, "console-3-ended")

        report = staff_context.new_page()
        report.goto(f"{daphne_server}/staff/events/{event.pk}/report/")
        report.wait_for_selector("#chart-report-rounds")
        assert report.text_content("[data-report-total=matches]").strip() == "1"
        assert report.text_content("[data-report-total=mutual_yes_rate]").strip() == "100%"
        save_screenshot(report, "report-rounds-event")
    finally:
        for context in (*contexts, staff_context):
            context.close()
