"""Browser end to end (issue 6): a staff dashboard updates live while two students meet.

Real daphne, a real Celery worker plus beat (the matching sweep sets the queue depth every
second and the dashboard publishes its per-second snapshot), Redis, PostgreSQL and Chromium.
Nothing is recorded by the test: the two students join the queue from their lobby, the worker
pairs them, both accept, and every figure on the dashboard comes from what the matching
services recorded on the way.
"""

import re
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from apps.accounts.tests.factories import PASSWORD, make_profile, make_user
from apps.dashboard import services as dashboard_services
from apps.events.tests.factories import make_event
from apps.matching.models import Match
from conftest import ARTIFACTS, ROOT, _process_env, _stop, save_screenshot
from tests.e2e.chat_pages import beside_the_browser


@pytest.fixture
def celery_beat_process(celery_worker_process, tmp_path):
    log = open(ARTIFACTS / "celery-beat.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "matchminds", "beat", "-s", str(tmp_path / "beat-schedule"), "--loglevel", "INFO"],
        cwd=ROOT,
        env=_process_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    _stop(process)
    log.close()


def log_in(context, base_url: str, email: str, path: str):
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/?next={path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{path}")
    return page


@pytest.mark.django_db(transaction=True)
def test_staff_dashboard_updates_live_while_two_users_match(browser, daphne_server, celery_beat_process):
    event = make_event(name="캠퍼스 미팅")
    staff = make_user(email="ops@example.com")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    him = make_profile(user=make_user(email="him@example.com"), gender="M", seeking="F")
    her = make_profile(user=make_user(email="her@example.com"), gender="F", seeking="M", region="busan")

    staff_context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 1400})
    dashboard = log_in(staff_context, daphne_server, staff.email, f"/admin/dashboard/?event={event.pk}")
    # The first pushed snapshot arrives: nobody is in the event yet.
    expect(dashboard.locator("[data-updated]")).not_to_have_text("—", timeout=15_000)
    expect(dashboard.locator('[data-tile="online"]')).to_have_text("0")

    # When the two students open the event lobby, the dashboard shows them within seconds.
    contexts = [browser.new_context(locale="ko-KR") for _ in range(2)]
    lobbies = []
    for context, profile in zip(contexts, (him, her), strict=True):
        lobby = log_in(context, daphne_server, profile.user.email, f"/events/{event.pk}/")
        expect(lobby.locator("[data-ws-state]")).to_have_attribute("data-ws-state", "connected", timeout=10_000)
        lobbies.append(lobby)
    expect(dashboard.locator('[data-tile="online"]')).to_have_text("2", timeout=5_000)
    expect(dashboard.locator('[data-tile="online_m"]')).to_have_text("1")
    expect(dashboard.locator('[data-tile="online_f"]')).to_have_text("1")
    expect(dashboard.locator('.tile:has([data-tile="online"]) small')).to_have_text("남 1 · 여 1")

    # When he presses "find a match", the dashboard shows one man waiting in the queue.
    lobbies[0].click("[data-queue-join]")
    expect(lobbies[0].locator("[data-queue-waiting]")).to_be_visible(timeout=10_000)
    expect(dashboard.locator('[data-tile="queue_m"]')).to_have_text("1", timeout=5_000)
    expect(dashboard.locator('[data-tile="queue_f"]')).to_have_text("0")
    expect(dashboard.locator('[data-tile="queue_total"]')).to_have_text("1")
    expect(dashboard.locator('[data-tile="proposals_15m"]')).to_have_text("0")
    # When she joins too, the worker proposes them to each other: a proposal, and nobody waits.
    lobbies[1].click("[data-queue-join]")
    for lobby in lobbies:
        expect(lobby.locator("[data-proposal]")).to_be_visible(timeout=15_000)
    expect(dashboard.locator('[data-tile="proposals_15m"]')).to_have_text("1", timeout=5_000)
    expect(dashboard.locator('[data-tile="queue_total"]')).to_have_text("0", timeout=5_000)
    expect(dashboard.locator('[data-tile="confirmed_15m"]')).to_have_text("0")
    # When both accept, the confirmed match, the success rate and their waits show up live.
    for lobby in lobbies:
        lobby.click("[data-match-accept]")
    for lobby in lobbies:
        expect(lobby.locator("[data-match-confirmed]")).to_be_visible(timeout=15_000)
    assert Match.objects.filter(event=event).count() == 1
    expect(dashboard.locator('[data-tile="confirmed_15m"]')).to_have_text("1", timeout=5_000)
    expect(dashboard.locator('[data-tile="confirmed_total"]')).to_contain_text("1")
    expect(dashboard.locator('[data-tile="match_success_rate_15m"]')).to_have_text("100.0%")
    expect(dashboard.locator('[data-tile="wait_p95_s"]')).not_to_have_text("—")
    expect(dashboard.locator('[data-tile="queue_m"]')).to_have_text("0")
    # The university table lists their university: 2 online, 2 lobby arrivals.
    first_row = dashboard.locator("[data-universities] tr").first
    expect(first_row).to_contain_text(re.compile(r"서울대학교\s*2\s*2"))
    # When both open their chat (leaving the lobby) and he reports her from it, the event's
    # dashboard still counts both and shows the report.
    for lobby in lobbies:
        lobby.click("[data-confirmed-room]")
        lobby.wait_for_selector("[data-report-open]")
    reporter = lobbies[0]
    reporter.click("[data-report-open]")
    reporter.select_option("#report-reason", "harassment")
    reporter.click("button[value=report]")
    reporter.wait_for_selector(".report-done")
    expect(dashboard.locator('[data-tile="reports_15m"]')).to_have_text("1", timeout=5_000)
    dashboard.wait_for_timeout(1500)
    expect(dashboard.locator('[data-tile="online"]')).to_have_text("2")
    save_screenshot(dashboard, "dashboard-live")

    for context in (*contexts, staff_context):
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_five_minute_chart_covers_its_whole_window_from_the_first_paint(browser, daphne_server):
    # given the publisher has run for the last five minutes while one student was online
    def five_minutes_of_snapshots():
        staff = make_user()
        staff.is_staff = True
        staff.save(update_fields=["is_staff"])
        dashboard_services.socket_opened(user_id=make_profile().user_id)
        now = time.time()
        for seconds_ago in range(290, -1, -10):
            dashboard_services.dashboard_publish(now=now - seconds_ago)
        return staff

    staff = beside_the_browser(five_minutes_of_snapshots)
    context = browser.new_context(locale="ko-KR", viewport={"width": 1440, "height": 900})
    dashboard = log_in(context, daphne_server, staff.email, "/admin/dashboard/")
    # when the page has painted (no beat runs here: nothing live arrives)
    chart = dashboard.evaluate(
        """() => {
          const data = Chart.getChart(document.getElementById("chart-live")).data.datasets[0].data;
          return {points: data.length, span: data[data.length - 1].x - data[0].x, values: data.map((p) => p.y)};
        }"""
    )
    # then the chart already spans five minutes of 10-second points, in whole people
    assert (chart["points"], chart["span"]) == (30, 290_000)
    assert set(chart["values"]) <= {1, None} and chart["values"].count(1) >= 29
    save_screenshot(dashboard, "dashboard-trend-first-paint-1440-ko")
    context.close()
