"""The lobby page when Redis loses the live queue: it never keeps showing a place that no longer exists.

Waits go through locators: the page's CSP forbids the string evaluation of wait_for_function."""

import pytest
from playwright.sync_api import expect

from apps.accounts.tests.factories import make_profile
from apps.core.redis import get_redis
from apps.matching import tasks
from apps.matching.models import QueueTicket
from apps.matching.tests.conftest import make_event, university
from conftest import save_screenshot
from tests.e2e.test_matching_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

POSITION_ONE = "내 대기 순서: 1번째"
RESTORING = "매칭 서비스가 다시 시작됐어요. 내 대기 순서를 되찾고 있어요…"
SERVICE_RESET = "매칭 서비스가 다시 시작되어 대기 순서를 지키지 못했어요. 죄송해요! 다시 참여해 주세요."


def test_after_redis_loses_the_queue_the_lobby_restores_the_place_or_offers_a_retry(browser, daphne_server):
    # given two men waiting in a live event's lobby, each in their own browser
    event = make_event(name="가을 축제 미팅")
    kept, unreadable = (make_profile(gender="M", seeking="F", university=university("부산대학교")) for _ in range(2))
    contexts = [browser.new_context(locale="ko-KR", viewport={"width": 420, "height": 900}) for _ in range(2)]
    try:
        pages = []
        for context, profile in zip(contexts, (kept, unreadable), strict=True):
            page = context.new_page()
            _log_in(page, daphne_server, profile.user.email)
            page.goto(f"{daphne_server}/events/{event.pk}/")
            page.wait_for_selector("[data-ws-state=connected]")
            page.click("[data-queue-join]")
            page.wait_for_selector("[data-queue-waiting]:not([hidden])")
            pages.append(page)
        assert pages[0].text_content("[data-queue-position]") == POSITION_ONE
        # when Redis loses everything (this test's own database), and one copy cannot be read back
        QueueTicket.objects.filter(user_id=unreadable.user_id).update(snapshot={"event_id": event.pk})
        get_redis().flushdb()
        # then, without any frame from the server, the page asks again and stops showing a number
        expect(pages[0].locator("[data-queue-position]")).to_have_text(RESTORING, timeout=20_000)
        save_screenshot(pages[0], "matching-queue-restoring")
        # and once beat's sweep restored the queue, one sees the place again and the other is offered a retry
        tasks.sweep_live_queues()
        expect(pages[0].locator("[data-queue-position]")).to_have_text(POSITION_ONE, timeout=10_000)
        pages[1].wait_for_selector("[data-queue-retry]:not([hidden])", timeout=10_000)
        assert pages[1].text_content("[data-queue-message]") == SERVICE_RESET
        assert pages[1].is_hidden("[data-queue-waiting]")
        save_screenshot(pages[1], "matching-queue-service-reset")
    finally:
        for context in contexts:
            context.close()
