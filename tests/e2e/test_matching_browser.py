"""Two students in two Chromium windows join from the lobby, both accept and both see the match."""

import pytest

from apps.accounts.tests.factories import PASSWORD, make_profile
from apps.matching.models import Match
from apps.matching.tests.conftest import make_event, university
from conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_two_students_join_from_the_lobby_accept_and_both_see_the_match(browser, daphne_server, celery_worker_process):
    # given a live event and two compatible students, each in their own browser
    event = make_event(name="봄 축제 미팅")
    woman = make_profile(gender="F", seeking="M", university=university("서울대학교"), interest_slugs=[])
    man = make_profile(gender="M", seeking="F", university=university("부산대학교"))
    contexts = [browser.new_context(locale="ko-KR", viewport={"width": 420, "height": 900}) for _ in range(2)]
    try:
        pages = []
        for context, profile in zip(contexts, (woman, man), strict=True):
            page = context.new_page()
            _log_in(page, daphne_server, profile.user.email)
            page.goto(f"{daphne_server}/events/{event.pk}/")
            page.wait_for_selector("[data-ws-state=connected]")
            pages.append(page)
        # when both press "find a match" (the real worker pairs them) and both accept
        pages[0].click("[data-queue-join]")
        pages[0].wait_for_selector("[data-queue-waiting]:not([hidden])")
        pages[1].click("[data-queue-join]")
        for page, partner in zip(pages, (man, woman), strict=True):
            page.wait_for_selector("[data-proposal]:not([hidden])", timeout=15_000)
            assert page.text_content("[data-partner-nickname]") == partner.nickname
        save_screenshot(pages[1], "matching-proposal")
        for page in pages:
            page.click("[data-match-accept]")
        # then both see the confirmed match with the same chat room
        for page, partner in zip(pages, (man, woman), strict=True):
            page.wait_for_selector("[data-match-confirmed]:not([hidden])", timeout=15_000)
            assert page.text_content("[data-confirmed-nickname]") == partner.nickname
        match = Match.objects.get(event=event)
        assert {page.get_attribute("[data-queue]", "data-room-id") for page in pages} == {str(match.room_id)}
        save_screenshot(pages[0], "matching-confirmed")
    finally:
        for context in contexts:
            context.close()
