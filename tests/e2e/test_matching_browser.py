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


def _in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] and box["x"] >= 0


def test_the_match_card_fills_a_phone_screen_in_each_students_language(browser, daphne_server, celery_worker_process):
    # given a live event whose lobby is long enough to push the panel down, a Korean and an English student on phones
    event = make_event(name="봄 축제 미팅", description="\n".join(["긴 안내문입니다."] * 40))
    woman = make_profile(
        gender="F", seeking="M", university=university("서울대학교"), interest_slugs=["yoga", "wine"], bio="바다를 좋아해요"
    )
    man = make_profile(gender="M", seeking="F", university=university("부산대학교"), interest_slugs=["games"])
    phone = {"width": 390, "height": 844}
    contexts = [browser.new_context(locale=locale, viewport=phone) for locale in ("ko-KR", "en-US")]
    try:
        pages = []
        for context, profile in zip(contexts, (woman, man), strict=True):
            page = context.new_page()
            _log_in(page, daphne_server, profile.user.email)
            page.goto(f"{daphne_server}/events/{event.pk}/")
            page.wait_for_selector("[data-ws-state=connected]")
            pages.append(page)
        korean, english = pages
        title_before = korean.title()
        # when both look for a match
        korean.click("[data-queue-join]")
        korean.wait_for_selector("[data-queue-waiting]:not([hidden])")
        english.click("[data-queue-join]")
        for page in pages:
            page.wait_for_selector("[data-proposal]:not([hidden])", timeout=15_000)
        # then each card is a dialog that took focus, with both buttons on screen while the clock runs
        for page in pages:
            assert page.get_attribute("[data-proposal]", "role") == "dialog"
            assert page.evaluate("document.activeElement.id") == "match-title"
            assert _in_viewport(page, "[data-match-accept]")
            assert _in_viewport(page, "[data-match-decline]")
            assert int("".join(ch for ch in page.text_content("[data-proposal-countdown]") if ch.isdigit())) > 0
        # and the partner is described in the reader's language, with an age band and the photo placeholder
        assert korean.text_content("[data-partner-university]") == "부산대학교"
        assert korean.locator("[data-partner-interests] li").all_text_contents() == ["게임"]
        assert korean.text_content("[data-partner-age]") == "25–29세"
        assert english.text_content("[data-partner-university]") == "Seoul National University"
        assert english.locator("[data-partner-interests] li").all_text_contents() == ["Yoga", "Wine"]
        assert english.text_content("[data-partner-age]") == "Age 25–29"
        assert english.text_content("[data-partner-bio]") == "바다를 좋아해요"
        korean.wait_for_function("before => document.title !== before", arg=title_before, timeout=3_000)
        save_screenshot(korean, "matching-card-390-ko")
        save_screenshot(english, "matching-card-390-en")
        # when both accept in time, then both read a whole translated sentence naming the partner
        for page in pages:
            page.click("[data-match-accept]", timeout=2_000)
        for page in pages:
            page.wait_for_selector("[data-match-confirmed]:not([hidden])", timeout=15_000)
        assert korean.text_content("[data-confirmed-text]") == f"서로 좋다고 했어요! {man.nickname}님에게 인사해 보세요."
        assert english.text_content("[data-confirmed-text]") == f"You both said yes! Say hello to {woman.nickname}."
        assert korean.title() == title_before
        save_screenshot(korean, "matching-confirmed-390-ko")
    finally:
        for context in contexts:
            context.close()
