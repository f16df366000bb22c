"""The settings page in a real browser: a password change signs the other browser out (its
socket too), and an unsubscribe link is undone on the settings page."""

import pytest

from apps.accounts import notifications
from apps.accounts.models import NotificationKind
from apps.accounts.tests.factories import PASSWORD, make_profile
from apps.moderation import blocks as moderation_blocks
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, login, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-fresh-long-passphrase-9"  # noqa: S105 - test data
PHONE = {"width": 390, "height": 844}


def _preferences(user) -> dict[str, bool]:
    return beside_the_browser(notifications.notification_preferences, user=user)


def test_changing_the_password_signs_out_the_other_browser_and_closes_its_socket(daphne_server, browser):
    # Given a student signed in on a laptop and on a phone, both pages connected
    student = beside_the_browser(make_profile, nickname="비번바꾸기").user
    laptop_context = browser.new_context(locale="ko-KR", viewport=PHONE)
    phone_context = browser.new_context(locale="ko-KR", viewport=PHONE)
    try:
        laptop = login(laptop_context, daphne_server, student.email)
        phone = login(phone_context, daphne_server, student.email)
        phone.goto(daphne_server + "/events/")
        phone.wait_for_selector('[data-ws-state="connected"]')

        # When the password is changed on the laptop
        laptop.goto(daphne_server + "/accounts/settings/")
        laptop.wait_for_selector('[data-ws-state="connected"]')
        laptop.fill("#id_current_password", PASSWORD)
        laptop.fill("#id_new_password1", NEW_PASSWORD)
        laptop.fill("#id_new_password2", NEW_PASSWORD)
        laptop.click("#password-settings button[type=submit]")
        laptop.wait_for_selector(".message.success")

        # Then the phone's socket is closed for good and the page says why
        phone.wait_for_selector('[data-ws-state="offline"]')
        notice = phone.locator('[data-signed-out-code="4411"]')
        notice.wait_for(state="visible")
        assert "다른 브라우저에서 비밀번호가 바뀌어서" in notice.inner_text()
        save_screenshot(phone, "password-changed-other-browser-ko")
        # And its next page asks to sign in again, while the laptop stays signed in and connected
        phone.goto(daphne_server + "/accounts/settings/")
        assert "/accounts/login/" in phone.url
        assert "비밀번호를 바꿨어요." in laptop.inner_text(".messages")
        laptop.wait_for_selector('[data-ws-state="connected"]')
        laptop.goto(daphne_server + "/accounts/settings/")
        assert laptop.url.endswith("/accounts/settings/")
    finally:
        laptop_context.close()
        phone_context.close()


def test_an_unsubscribe_link_turns_off_one_kind_and_the_settings_page_turns_it_back_on(daphne_server, browser):
    # Given a digest e-mail's unsubscribe link (no session in the browser that opens it)
    student = beside_the_browser(make_profile, nickname="수신거부").user
    link = notifications.unsubscribe_url(user_id=student.pk, kind=NotificationKind.DIGEST, base_url=daphne_server)
    context = browser.new_context(locale="ko-KR", viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(link)
        assert "“놓친 메시지 요약” 이메일을 그만 받을까요?" in page.inner_text("main")
        assert _preferences(student)["digest"] is True  # opening the link only asks

        # When the student confirms
        page.click("main form button[type=submit]")
        page.wait_for_selector(".message.success")

        # Then exactly that kind is off
        assert _preferences(student) == {"digest": False, "new_match": True, "event_reminder": True, "moderation_notice": True}
        save_screenshot(page, "unsubscribed-ko")

        # When they follow "open e-mail settings", sign in and tick the box again
        page.click("text=이메일 설정 열기")
        page.fill("input[name=username]", student.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/accounts/settings/")
        assert page.is_checked("#id_digest") is False
        page.check("#id_digest")
        page.click("#notification-settings button[type=submit]")
        page.wait_for_selector(".message.success")

        # Then the digest is on again
        assert wait_until(page, lambda: _preferences(student)["digest"] is True)
        assert page.is_checked("#id_digest") is True
    finally:
        context.close()


def test_the_settings_and_blocks_pages_on_a_phone_in_korean_and_english(daphne_server, browser):
    student = beside_the_browser(make_profile, nickname="설정화면").user
    blocked = beside_the_browser(make_profile, nickname="차단한상대", gender="M", seeking="F").user
    beside_the_browser(moderation_blocks.block_create, blocker=student, blocked_user_id=blocked.pk)
    context = browser.new_context(locale="ko-KR", viewport=PHONE)
    try:
        page = login(context, daphne_server, student.email)
        page.goto(daphne_server + "/accounts/settings/")
        assert page.inner_text("h1") == "설정"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        save_screenshot(page, "settings-ko-390")
        page.goto(daphne_server + "/safety/blocks/")
        assert "차단한상대" in page.inner_text("#blocked-people")
        save_screenshot(page, "blocks-ko-390")

        # The account's language, chosen on the page, holds for the next pages
        page.goto(daphne_server + "/accounts/settings/")
        page.select_option("#id_language", "en")
        page.click("#language-settings button[type=submit]")
        page.wait_for_selector(".message.success")
        assert page.inner_text("h1") == "Settings"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        save_screenshot(page, "settings-en-390")
        page.goto(daphne_server + "/safety/blocks/")
        page.click("#blocked-people button[type=submit]")
        page.wait_for_selector(".message.success")
        assert "You unblocked 차단한상대." in page.inner_text(".messages")
        save_screenshot(page, "blocks-en-390")
    finally:
        context.close()
