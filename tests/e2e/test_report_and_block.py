"""From a 1:1 chat, a student reports and blocks their partner in a real browser."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from apps.accounts.tests.factories import PASSWORD, make_profile
from apps.chat import services as chat_services
from apps.chat.models import Room
from apps.moderation.models import Block, Report, ReportEvidence
from conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _login(context, base_url: str, email: str):
    page = context.new_page()
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return page


def test_report_and_block_from_a_chat_closes_it_for_both_and_keeps_evidence(daphne_server, browser):
    def given_a_chat_with_an_insult():
        try:
            alice, bob = make_profile(nickname="앨리스").user, make_profile(nickname="바비", gender="M", seeking="F").user
            room = chat_services.room_create_direct(user_ids=(alice.pk, bob.pk))
            chat_services.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="a1", body="안녕하세요")
            chat_services.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id="b1", body="병신아 꺼져")
            return alice, bob, room
        finally:
            connection.close()

    # Playwright's sync API runs an event loop here; services that send frames run beside it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        alice, bob, room = pool.submit(given_a_chat_with_an_insult).result()
    contexts = [browser.new_context(locale="ko-KR", viewport={"width": 420, "height": 860}) for _ in range(2)]
    try:
        alice_page = _login(contexts[0], daphne_server, alice.email)
        bob_page = _login(contexts[1], daphne_server, bob.email)
        for page in (alice_page, bob_page):
            page.goto(f"{daphne_server}/chat/{room.pk}/")
            page.wait_for_selector('[data-ws-state="connected"]')
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
        alice_page.wait_for_url("**/chat/")
        assert alice_page.locator(f'a[href="/chat/{room.pk}/"]').count() == 0
        save_screenshot(alice_page, "chat-after-report-and-block")
    finally:
        for context in contexts:
            context.close()

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
