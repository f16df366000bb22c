"""Every main page, in Korean and English, at 320, 390 and 1440 px: nothing wider than the
screen at 320 px, and a screenshot of each (test-artifacts/page-<name>-<lang>-<width>.png).
The staff pages are checked in test_staff_pages_layout.py."""

import pytest

from apps.chat import batch as chat_batch
from apps.chat import rooms as chat_rooms
from apps.chat.tests.factories import make_pair
from apps.events.tests.factories import make_event
from apps.moderation import reports as moderation_reports
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, login
from tests.e2e.page_layout import OVERFLOW, WIDTHS, layout_context

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _data():
    event = make_event(name="봄 축제 라이브 미팅", slug="spring-live", description="서울·부산 대학생 라이브 미팅입니다.")
    alice, bob, room = make_pair(event_id=event.pk)

    chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id="b1", body="안녕하세요! 반가워요 " * 3)
    lobby = chat_rooms.lobby_room_join(user=alice, event_id=event.pk)
    moderation_reports.report_create(
        reporter=alice, reported_user_id=bob.pk, reason="harassment", room_id=room.pk, message_seq=1, text="불편한 말을 계속해요"
    )
    return event, alice, room, lobby


def _anonymous_pages() -> dict[str, str]:
    return {
        "home": "/",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "password-reset": "/accounts/password-reset/",
        "password-reset-sent": "/accounts/password-reset/sent/",
        "policy-terms": "/policies/terms/",
        "not-found": "/no-such-page/",
    }


def _student_pages(event, room, lobby) -> dict[str, str]:
    return {
        "events": "/events/",
        "events-mine": "/events/mine/",
        "event-public": f"/events/{event.slug}/",
        "lobby": f"/events/{event.pk}/",
        "profile": "/accounts/profile/",
        "verify": "/accounts/verify/",
        "settings": "/accounts/settings/",
        "policies-accept": "/policies/accept/",
        "notices": "/safety/notices/",
        "chats": "/chat/",
        "chat-room": f"/chat/{room.pk}/",
        "lobby-chat": f"/chat/{lobby.pk}/",
        "safety": "/safety/",
        "blocks": "/safety/blocks/",
        "forbidden": "/admin/",
    }


def _visit_all(browser, base_url: str, pages: dict[str, str], email: str | None, lang: str) -> dict[str, int]:
    overflow = {}
    for width in WIDTHS:
        context = layout_context(browser, lang=lang, width=width)
        try:
            page = login(context, base_url, email) if email else context.new_page()
            for name, path in pages.items():
                # Waiting as part of the navigation: a separate wait_for_load_state sometimes missed
                # the admin changelist's idle moment and hung although nothing was in flight.
                page.goto(base_url + path, wait_until="networkidle")
                assert page.evaluate("document.documentElement.lang") == lang
                if width == 320:
                    overflow[name] = page.evaluate(OVERFLOW)
                save_screenshot(page, f"page-{name}-{lang}-{width}")
        finally:
            context.close()
    return overflow


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_student_pages_fit_a_320px_phone_and_are_captured_at_three_widths(browser, daphne_server, lang):
    event, alice, room, lobby = beside_the_browser(_data)
    overflow = _visit_all(browser, daphne_server, _anonymous_pages(), None, lang)
    overflow |= _visit_all(browser, daphne_server, _student_pages(event, room, lobby), alice.email, lang)
    assert overflow == dict.fromkeys(overflow, 0)
