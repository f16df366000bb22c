"""A chat nobody wrote in for two weeks leaves the main list for 보관된 대화 and reads as
archived, in a real browser at phone width (screenshots for review)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.chat import batch as chat_batch
from apps.chat.archive import rooms_archive_idle
from apps.chat.models import Message, Room
from apps.chat.tests.factories import make_pair
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, logged_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _two_rooms_one_idle():
    alice, _bob, idle = make_pair()
    chat_batch.message_send(sender_id=alice.pk, room_id=idle.pk, client_msg_id="a1", body="다음에 또 얘기해요")
    long_ago = timezone.now() - timedelta(days=20)
    Room.objects.filter(pk=idle.pk).update(created_at=long_ago)
    Message.objects.filter(room=idle).update(sent_at=long_ago)
    from apps.accounts.tests.factories import make_profile
    from apps.chat import rooms as chat_rooms

    carol = make_profile(nickname="캐럴", gender="M", seeking="F").user
    fresh = chat_rooms.room_create_direct(user_ids=(alice.pk, carol.pk))
    rooms_archive_idle(batch_size=100)
    return alice, idle, fresh


def test_an_archived_chat_is_read_from_its_own_section_and_cannot_be_written_in(daphne_server, browser):
    alice, idle, fresh = beside_the_browser(_two_rooms_one_idle)
    with logged_in(browser, daphne_server, alice, viewport={"width": 390, "height": 844}) as (page,):
        page.goto(daphne_server + "/chat/")
        main_list = page.locator("[data-room-list]")
        assert main_list.locator(f'[data-room-id="{fresh.pk}"]').count() == 1
        assert main_list.locator(f'[data-room-id="{idle.pk}"]').count() == 0
        section = page.locator("[data-archived-section]")
        assert "보관된 대화" in section.locator("summary").inner_text()
        section.locator("summary").click()
        save_screenshot(page, "chat-archived-section-390")

        section.locator(f'a[href="/chat/{idle.pk}/"]').click()
        page.wait_for_selector('.msg[data-seq="1"]')
        banner = page.locator(".closed-banner")
        assert "14일 동안 아무도 메시지를 보내지 않아 대화가 보관되었어요" in banner.inner_text()
        assert page.locator("#chat-body").is_disabled()
        save_screenshot(page, "chat-archived-room-390")
