"""Leaving a 1:1 chat asks first; the partner is told who left, below the last message."""

import pytest

from apps.chat import batch as chat_batch
from apps.chat.models import Room
from apps.chat.tests.factories import make_pair
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, both_in_the_room

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_leaving_asks_first_and_the_partner_reads_who_left_under_the_last_message(daphne_server, browser):
    # given two students in their chat with a few messages
    alice, bob, room = beside_the_browser(make_pair)
    for seq in range(1, 13):
        beside_the_browser(
            chat_batch.message_send, sender_id=bob.pk, room_id=room.pk, client_msg_id=f"b{seq}", body=f"메시지 {seq}"
        )
    with both_in_the_room(browser, daphne_server, alice, bob, room, viewport={"width": 390, "height": 844}) as (
        alice_page,
        bob_page,
    ):
        bob_page.wait_for_selector('.msg[data-seq="12"]')
        questions = []

        def answer(dialog, accept: bool):
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        # when Alice presses "leave" and then says no, nothing happens
        alice_page.once("dialog", lambda dialog: answer(dialog, False))
        alice_page.click(".leave-form button")
        alice_page.wait_for_timeout(300)
        assert questions == ["바비님과의 대화에서 나갈까요? 나가면 두 사람 모두 이 대화에 더는 쓸 수 없어요."]
        assert beside_the_browser(lambda: Room.objects.get(pk=room.pk).closed_at) is None
        # when she confirms, the chat ends
        alice_page.once("dialog", lambda dialog: answer(dialog, True))
        alice_page.click(".leave-form button")
        alice_page.wait_for_url("**/chat/")
        # then Bob reads that Alice left, and his last message stays in view above the banner
        bob_page.wait_for_selector(".closed-banner:not([hidden])")
        assert bob_page.text_content(".closed-banner") == (
            "앨리스님이 대화에서 나갔어요. 대화 내용은 계속 볼 수 있지만 더는 쓸 수 없어요."
        )
        last = bob_page.locator('.msg[data-seq="12"]').bounding_box()
        banner = bob_page.locator(".closed-banner").bounding_box()
        assert last["y"] + last["height"] <= banner["y"]
        assert last["y"] >= 0
        save_screenshot(bob_page, "chat-partner-left-390-ko")
