"""The shared WebSocket client (static/realtime/client.js) in a real browser."""

import pytest

from apps.chat.tests.factories import make_pair
from tests.e2e.chat_pages import beside_the_browser, login, open_room

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Every WebSocket the page opens, so the test can see sockets the client lost track of.
TRACK_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.openedSockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.openedSockets.push(this);
    }
  };
})();
"""
LIVE_SOCKETS = "window.openedSockets.filter(ws => ws.readyState <= WebSocket.OPEN).length"


def test_connecting_while_a_reconnect_waits_leaves_one_socket(daphne_server, browser_context):
    alice, _bob, room = beside_the_browser(make_pair)
    browser_context.add_init_script(TRACK_SOCKETS)
    page = login(browser_context, daphne_server, alice.email)
    open_room(page, daphne_server, room.pk)
    assert page.evaluate(LIVE_SOCKETS) == 1

    # Given the socket dropped and its reconnect waits out a backoff (at most 0.5 s the first time)
    page.evaluate("window.mmSocket.ws.close()")
    page.wait_for_selector('[data-ws-state="reconnecting"]')
    # When the page connects at once instead of waiting
    page.evaluate("window.mmSocket.connect()")
    page.wait_for_selector('[data-ws-state="connected"]')

    # Then, once the backoff would have run out, the tab still holds exactly one socket
    page.wait_for_timeout(1000)
    assert page.evaluate(LIVE_SOCKETS) == 1
    assert page.evaluate("window.mmSocket.ws.readyState") == 1
    assert page.get_attribute("[data-ws-state]", "data-ws-state") == "connected"


def test_a_tab_signed_out_elsewhere_stops_reconnecting_at_4401(daphne_server, browser_context):
    alice, _bob, room = beside_the_browser(make_pair)
    browser_context.add_init_script(TRACK_SOCKETS)
    page = login(browser_context, daphne_server, alice.email)
    open_room(page, daphne_server, room.pk)

    # Given the student signs out in another tab of the same browser
    other_tab = browser_context.new_page()
    other_tab.goto(daphne_server + "/events/")
    other_tab.click("form[action='/accounts/logout/'] button[type=submit]")
    other_tab.wait_for_load_state()
    # When the first tab's socket drops and the client reconnects with the signed-out cookie
    page.evaluate("window.mmSocket.ws.close()")

    # Then the server's close 4401 reaches the client, which goes offline and stays offline
    page.wait_for_selector('[data-ws-state="offline"]', timeout=5000)
    page.wait_for_timeout(3000)
    assert page.evaluate("window.openedSockets.length") == 2
    assert page.evaluate(LIVE_SOCKETS) == 0
    assert page.get_attribute("[data-ws-state]", "data-ws-state") == "offline"
