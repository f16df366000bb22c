"""From a 1:1 chat, a student reports and blocks their partner in a real browser."""

import pytest

from apps.chat import batch as chat_batch
from apps.chat.models import Room
from apps.chat.tests.factories import make_pair
from apps.moderation.models import Block, Report, ReportEvidence
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, both_in_the_room

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_report_and_block_from_a_chat_closes_it_for_both_and_keeps_evidence(daphne_server, browser):
    # Given a chat with an insult
    alice, bob, room = beside_the_browser(make_pair)
    for sender, cmid, body in ((alice, "a1", "안녕하세요"), (bob, "b1", "병신아 꺼져")):
        beside_the_browser(chat_batch.message_send, sender_id=sender.pk, room_id=room.pk, client_msg_id=cmid, body=body)
    viewport = {"width": 420, "height": 860}
    with both_in_the_room(browser, daphne_server, alice, bob, room, viewport=viewport) as (alice_page, bob_page):
        # The insult reached Alice masked.
        alice_page.wait_for_selector('.msg[data-seq="2"] .bubble:has-text("*** **")')

        # Tapping the partner's message reports that very message, quoted in the dialog.
        alice_page.click('.msg[data-seq="2"] .bubble')
        assert alice_page.locator("[data-report-quote]").inner_text() == "*** **"
        alice_page.select_option("#report-reason", "harassment")
        alice_page.fill("#report-text", "욕설을 했어요")
        save_screenshot(alice_page, "chat-report-dialog")
        alice_page.click("button[value=report_block]")

        alice_page.wait_for_selector(".report-done")
        bob_page.wait_for_selector(".closed-banner:not([hidden])")
        assert bob_page.is_disabled("#chat-body")
        assert bob_page.is_disabled("[data-image-input]")  # no photo either
        alice_page.wait_for_url("**/chat/")
        assert alice_page.locator(f'a[href="/chat/{room.pk}/"]').count() == 0
        save_screenshot(alice_page, "chat-after-report-and-block")

    report = Report.objects.get()
    assert (report.reporter_id, report.reported_user_id, report.room_id, report.message_seq, report.reason, report.text) == (
        alice.pk,
        bob.pk,
        room.pk,
        2,
        "harassment",
        "욕설을 했어요",
    )
    evidence = ReportEvidence.objects.get(report=report).snapshot["messages"]
    assert [(m["seq"], m["body"]) for m in evidence] == [(1, "안녕하세요"), (2, "*** **")]
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert Room.objects.get(pk=room.pk).is_open is False
