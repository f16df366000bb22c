"""The Chats tab's unread badge follows new messages and reads live, on any page, without a reload."""

import pytest

from apps.chat import batch as chat_batch
from apps.chat.tests.factories import make_pair
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, logged_in, open_room, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def badge(page) -> tuple[bool, str, str]:
    element = page.locator("[data-chat-unread]")
    return element.is_visible(), element.locator("[data-chat-unread-count]").text_content(), element.text_content()


def test_the_badge_counts_new_messages_live_and_clears_when_the_chat_is_read(daphne_server, browser):
    # given Alice on the events page with nothing unread
    alice, bob, room = beside_the_browser(make_pair)
    with logged_in(browser, daphne_server, alice, viewport={"width": 390, "height": 844}) as (events_page,):
        events_page.goto(daphne_server + "/events/")
        events_page.wait_for_selector('[data-ws-state="connected"]')
        assert badge(events_page)[0] is False
        # when Bob writes twice
        for cmid in ("b1", "b2"):
            beside_the_browser(chat_batch.message_send, sender_id=bob.pk, room_id=room.pk, client_msg_id=cmid, body="안녕")
            # then the badge counts each message as it arrives
            expected = "1" if cmid == "b1" else "2"
            assert wait_until(events_page, lambda expected=expected: badge(events_page)[1] == expected)
        assert badge(events_page) == (True, "2", "2, 안 읽은 메시지 2개")
        save_screenshot(events_page, "chat-unread-badge-390-ko")
        # when she reads the chat in another tab, the first tab's badge clears too
        room_page = events_page.context.new_page()
        open_room(room_page, daphne_server, room.pk)
        room_page.wait_for_selector('.msg[data-seq="2"]')
        assert wait_until(events_page, lambda: badge(events_page)[0] is False)
        assert wait_until(room_page, lambda: badge(room_page)[0] is False)
        # and a message arriving while she reads the chat is read at once: no badge stays
        beside_the_browser(chat_batch.message_send, sender_id=bob.pk, room_id=room.pk, client_msg_id="b3", body="또 안녕")
        room_page.wait_for_selector('.msg[data-seq="3"]')
        room_page.wait_for_timeout(1000)
        assert badge(room_page)[0] is False
        assert badge(events_page)[0] is False
