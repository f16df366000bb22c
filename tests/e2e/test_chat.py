"""Two students chat in real browsers against real daphne, Redis and PostgreSQL."""

import json

import pytest
from playwright.sync_api import expect

from apps.accounts.tests.factories import make_profile, make_user
from apps.chat import batch as chat_batch
from apps.chat import rooms as chat_rooms
from apps.chat.tests.factories import make_pair
from apps.events.tests.factories import make_event
from conftest import save_screenshot
from tests.e2e.chat_pages import beside_the_browser, both_in_the_room, logged_in, login, open_room, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

READ_MARK_OF = "document.querySelector('.msg.mine[data-seq=\"{seq}\"] .read-mark').textContent"


def expect_read(page, seq: int, *, timeout_ms: int = 30_000) -> None:
    """Wait until my message `seq` shows as read (a locator wait: the page's CSP forbids the
    string evaluation that wait_for_function uses)."""
    expect(page.locator(f'.msg.mine[data-seq="{seq}"] .read-mark')).to_have_text("읽음", timeout=timeout_ms)


def test_two_users_chat_with_read_receipts_and_recover_a_message_after_reconnect(daphne_server, browser):
    alice, bob, room = beside_the_browser(make_pair)
    viewport = {"width": 420, "height": 860}
    with both_in_the_room(browser, daphne_server, alice, bob, room, viewport=viewport) as (alice_page, bob_page):
        # Given both are in the room, when Alice sends, then Bob sees it and Alice sees it read.
        alice_page.fill("#chat-body", "안녕하세요! 반가워요")
        alice_page.press("#chat-body", "Enter")
        bob_page.wait_for_selector('.msg[data-seq="1"] .bubble:has-text("안녕하세요! 반가워요")')
        alice_page.wait_for_selector('.msg.mine[data-seq="1"][data-state="sent"]')
        expect_read(alice_page, 1)

        # When Bob's socket drops and stays down while Alice sends, then after it comes back
        # the resume replays the missed message exactly once.
        bob_page.evaluate("window.mmSocket.connect = () => {}; window.mmSocket.ws.close()")
        bob_page.wait_for_selector('[data-ws-state="reconnecting"]')
        assert bob_page.is_visible(".reconnect-banner")
        alice_page.fill("#chat-body", "끊겨도 받을 수 있어요")
        alice_page.press("#chat-body", "Enter")
        alice_page.wait_for_selector('.msg.mine[data-seq="2"]')
        bob_page.evaluate("delete window.mmSocket.connect; window.mmSocket.connect()")
        bob_page.wait_for_selector('.msg[data-seq="2"] .bubble:has-text("끊겨도 받을 수 있어요")')
        assert bob_page.locator(".msg[data-seq]").count() == 2
        expect_read(alice_page, 2)

        # Bob answers; the room list shows the conversation.
        bob_page.fill("#chat-body", "저도 반가워요")
        bob_page.press("#chat-body", "Enter")
        alice_page.wait_for_selector('.msg[data-seq="3"] .bubble:has-text("저도 반가워요")')
        save_screenshot(alice_page, "chat-alice")
        save_screenshot(bob_page, "chat-bob-after-reconnect")
        alice_page.goto(daphne_server + "/chat/")
        assert "저도 반가워요" in alice_page.inner_text(".room-list")


def test_a_receipt_that_came_while_the_senders_socket_was_down_shows_after_it_reconnects(daphne_server, browser):
    alice, bob, room = beside_the_browser(make_pair)
    with logged_in(browser, daphne_server, alice, bob, viewport={"width": 420, "height": 860}) as (alice_page, bob_page):
        open_room(alice_page, daphne_server, room.pk)
        alice_page.fill("#chat-body", "읽으면 알려줘요")
        alice_page.press("#chat-body", "Enter")
        alice_page.wait_for_selector('.msg.mine[data-seq="1"][data-state="sent"]')
        assert alice_page.evaluate(READ_MARK_OF.format(seq=1)) == "1"

        # Given Alice's socket is down when Bob opens the room and reads her message
        alice_page.evaluate("window.mmSocket.connect = () => {}; window.mmSocket.ws.close()")
        alice_page.wait_for_selector('[data-ws-state="reconnecting"]')
        open_room(bob_page, daphne_server, room.pk)
        bob_page.wait_for_selector('.msg[data-seq="1"]')
        read_pointer = room.members.filter(user=bob).values_list("last_read_seq", flat=True)
        assert wait_until(bob_page, lambda: beside_the_browser(read_pointer.first) == 1)

        # When Alice's socket comes back, then her message shows as read without a reload
        alice_page.evaluate("delete window.mmSocket.connect; window.mmSocket.connect()")
        expect_read(alice_page, 1, timeout_ms=5000)


def test_a_receipt_lost_with_a_dying_socket_is_sent_again_after_the_reconnect(daphne_server, browser):
    alice, bob, room = beside_the_browser(make_pair)
    receipts_lost: list[dict] = []

    # Given Bob's first receipt never reaches the server (his socket died as he sent it)
    def lose_the_first_receipt(route) -> None:
        server = route.connect_to_server()

        def to_server(message) -> None:
            frame = json.loads(message)
            if frame.get("type") == "message.read" and not receipts_lost:
                receipts_lost.append(frame)
                return
            server.send(message)

        route.on_message(to_server)

    with logged_in(browser, daphne_server, alice, bob, viewport={"width": 420, "height": 860}) as (alice_page, bob_page):
        bob_page.route_web_socket("**/ws/", lose_the_first_receipt)
        for page in (alice_page, bob_page):
            open_room(page, daphne_server, room.pk)
        alice_page.fill("#chat-body", "받았어요?")
        alice_page.press("#chat-body", "Enter")
        bob_page.wait_for_selector('.msg[data-seq="1"]')
        assert wait_until(bob_page, lambda: receipts_lost)
        assert receipts_lost == [{"type": "message.read", "room": room.pk, "seq": 1}]
        assert alice_page.evaluate(READ_MARK_OF.format(seq=1)) == "1"

        # When his socket reconnects, then the receipt goes again and Alice sees "read"
        bob_page.evaluate("window.mmSocket.ws.close()")
        expect_read(alice_page, 1, timeout_ms=10000)


def test_a_lost_live_message_is_fetched_once_by_range_and_shown_in_order(daphne_server, browser):
    alice, bob, room = beside_the_browser(make_pair)

    def alice_sends(client_msg_id: str, body: str) -> None:
        beside_the_browser(chat_batch.message_send, sender_id=alice.pk, room_id=room.pk, client_msg_id=client_msg_id, body=body)

    alice_sends("first", "첫 메시지")
    context = browser.new_context(locale="ko-KR", viewport={"width": 420, "height": 860})
    sent_by_bob: list[dict] = []
    received_by_bob: list[dict] = []

    # Given Bob's socket loses the live copy of message 2 (the channel layer is at-most-once)
    def lose_live_message_two(route) -> None:
        server = route.connect_to_server()

        def to_server(message) -> None:
            sent_by_bob.append(json.loads(message))
            server.send(message)

        def to_bob(message) -> None:
            frame = json.loads(message)
            received_by_bob.append(frame)
            if not (frame.get("type") == "message.new" and frame.get("room") == room.pk and frame.get("seq") == 2):
                route.send(message)

        route.on_message(to_server)
        server.on_message(to_bob)

    try:
        page = login(context, daphne_server, bob.email)
        page.route_web_socket("**/ws/", lose_live_message_two)
        open_room(page, daphne_server, room.pk)
        page.wait_for_selector('.msg[data-seq="1"]')
        # and his resume was answered (a message sent before that reaches him inside the answer,
        # not live, and there would be no gap to fetch)
        for _ in range(200):
            if any(frame.get("type") == "message.batch" and frame.get("room") == room.pk for frame in received_by_bob):
                break
            page.wait_for_timeout(50)
        else:
            raise AssertionError("Bob's resume was never answered")

        # When Alice sends three more
        for number in (2, 3, 4):
            alice_sends(f"m{number}", f"메시지 {number}")

        # Then Bob sees all four in order, and asked for the one lost message exactly once
        page.wait_for_selector('.msg[data-seq="4"] .bubble:has-text("메시지 4")')
        assert page.locator(".msg[data-seq]").evaluate_all("items => items.map(li => li.dataset.seq)") == ["1", "2", "3", "4"]
        ranges = [frame for frame in sent_by_bob if frame["type"] == "message.range"]
        assert ranges == [{"type": "message.range", "room": room.pk, "after_seq": 1, "until_seq": 2, "ref": f"gap:{room.pk}"}]
    finally:
        context.close()


def test_a_live_message_overtaken_by_the_next_one_is_shown_in_order_without_asking_the_server(daphne_server, browser):
    alice, bob, room = beside_the_browser(make_pair)
    context = browser.new_context(locale="ko-KR", viewport={"width": 420, "height": 860})
    sent_by_bob: list[dict] = []

    # Given message 2's live copy reaches Bob just after message 3's (two server processes
    # committed them, and the later fan-out came first)
    def deliver_three_before_two(route) -> None:
        server = route.connect_to_server()
        held: list[str] = []

        def to_server(message) -> None:
            sent_by_bob.append(json.loads(message))
            server.send(message)

        def to_bob(message) -> None:
            frame = json.loads(message)
            if frame.get("type") == "message.new" and frame.get("room") == room.pk and frame.get("seq") == 2:
                held.append(message)
                return
            route.send(message)
            if frame.get("type") == "message.new" and frame.get("seq") == 3:
                for late in held:
                    route.send(late)

        route.on_message(to_server)
        server.on_message(to_bob)

    try:
        page = login(context, daphne_server, bob.email)
        page.route_web_socket("**/ws/", deliver_three_before_two)
        open_room(page, daphne_server, room.pk)

        # When Alice sends three
        for number in (1, 2, 3):
            beside_the_browser(
                chat_batch.message_send, sender_id=alice.pk, room_id=room.pk, client_msg_id=f"m{number}", body=f"메시지 {number}"
            )

        # Then Bob sees them in order, and asked the server for nothing: the gap closed within its grace
        page.wait_for_selector('.msg[data-seq="3"] .bubble:has-text("메시지 3")')
        assert page.locator(".msg[data-seq]").evaluate_all("items => items.map(li => li.dataset.seq)") == ["1", "2", "3"]
        page.wait_for_timeout(1000)  # twice the grace: a range request would have gone by now
        assert [frame for frame in sent_by_bob if frame["type"] == "message.range"] == []
    finally:
        context.close()


def test_the_typing_indicator_goes_as_soon_as_the_typed_message_arrives(daphne_server, browser):
    alice, bob, room = beside_the_browser(make_pair)
    viewport = {"width": 390, "height": 844}
    with both_in_the_room(browser, daphne_server, alice, bob, room, viewport=viewport) as (alice_page, bob_page):
        # Given Alice is typing, Bob sees it
        alice_page.type("#chat-body", "지금 입력하는 중")
        bob_page.wait_for_selector("[data-typing]:has-text('앨리스 입력 중')")

        # When she sends it, then the indicator goes with the message's arrival, not seconds
        # later when the typing notice would expire (5 s)
        alice_page.press("#chat-body", "Enter")
        bob_page.wait_for_selector('.msg[data-seq="1"] .bubble:has-text("지금 입력하는 중")')
        bob_page.wait_for_selector("[data-typing]", state="hidden", timeout=1500)

        # And when she types again, it is back
        alice_page.wait_for_timeout(2100)  # the client sends a typing notice at most every 2 s
        alice_page.type("#chat-body", "하나 더")
        bob_page.wait_for_selector("[data-typing]:has-text('앨리스 입력 중')")


def test_on_a_phone_the_headers_stay_on_their_rows_and_presence_says_how_long_ago(daphne_server, browser):
    alice, bob, room = beside_the_browser(make_pair, nicknames=("앨리스", "닉네임이스무글자나되는아주긴이름의주인공"))
    phone = {"width": 390, "height": 844}
    with both_in_the_room(browser, daphne_server, alice, bob, room, viewport=phone) as (alice_page, bob_page):
        # The site's links share one row under the brand
        tops = alice_page.locator(".topbar nav > a, .topbar nav button").evaluate_all(
            "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
        )
        assert len(tops) == 5 and len(set(tops)) == 1, tops  # 이벤트, 채팅, 프로필, 설정, 로그아웃
        assert alice_page.locator(".topbar").evaluate("bar => bar.getBoundingClientRect().height") < 100

        # When Bob (whose nickname is as long as they come) goes, Alice reads how long ago he was
        # last seen, and the chat's actions still take one line each
        bob_page.close()
        alice_page.wait_for_selector('.presence[data-presence="offline"]:has-text("방금 전 접속")')
        # (lines of text counted by their boxes: the buttons themselves are 40 px tap targets)
        lines = alice_page.locator(".chat-header .leave-form button, .chat-header .report-open").evaluate_all(
            "items => items.map(item => { const text = document.createRange(); text.selectNodeContents(item);"
            " return new Set([...text.getClientRects()].map(box => Math.round(box.top))).size; })"
        )
        assert lines == [1, 1], lines
        assert alice_page.is_visible("#chat-body")


def test_the_room_list_moves_a_room_with_news_to_the_top_with_its_badge_time_and_preview(daphne_server, browser):
    alice, bob, room = beside_the_browser(make_pair)

    def carol_writes_to_alice() -> int:
        carol = make_profile(nickname="캐롤", gender="M", seeking="F").user
        carols_room = chat_rooms.room_create_direct(user_ids=(alice.pk, carol.pk))
        chat_batch.message_send(sender_id=carol.pk, room_id=carols_room.pk, client_msg_id="hi", body="안녕")
        return carols_room.pk

    # Given Alice's list opens with Carol's room on top (the latest news)
    carols_room_id = beside_the_browser(carol_writes_to_alice)
    context = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    try:
        page = login(context, daphne_server, alice.email)
        page.goto(daphne_server + "/chat/")
        page.wait_for_selector('[data-ws-state="connected"]')
        assert page.locator(".room-item").first.get_attribute("data-room-id") == str(carols_room_id)

        # When Bob sends a photo (an approved image's message carries the image's id)
        beside_the_browser(
            chat_batch.message_send, sender_id=bob.pk, room_id=room.pk, client_msg_id="image-5", body="5", kind="image"
        )

        # Then his room comes first, says "사진", counts one unread and shows when
        first = page.locator(".room-item").first
        expect(first).to_have_attribute("data-room-id", str(room.pk), timeout=30_000)
        assert first.locator(".last-message").inner_text() == "사진"
        assert first.locator(".unread-badge").inner_text() == "1"
        assert first.locator(".last-time").inner_text().strip() != ""
    finally:
        context.close()


def test_an_operator_announces_in_the_lobby_and_students_read_it_live(daphne_server, browser):
    def event_with_a_student_in_its_lobby():
        event = make_event(name="봄 축제")
        student = make_profile(nickname="학생").user
        chat_rooms.lobby_room_join(user=student, event_id=event.pk)
        operator = make_user()
        operator.is_staff = True
        operator.save()
        return event, student, operator

    event, student, operator = beside_the_browser(event_with_a_student_in_its_lobby)
    with logged_in(browser, daphne_server, student, operator, viewport={"width": 390, "height": 844}) as pages:
        student_page, operator_page = pages
        student_page.goto(f"{daphne_server}/chat/lobby/{event.pk}/")
        student_page.wait_for_selector('[data-ws-state="connected"]')
        # Students read this lobby's chat; only staff write in it
        assert student_page.locator("[data-composer]").count() == 0
        assert student_page.is_visible("[data-read-only]")

        # An operator with no student profile goes from the event page to the lobby chat
        operator_page.goto(f"{daphne_server}/events/{event.pk}/")
        operator_page.click("text=로비 채팅에 공지하기")
        operator_page.wait_for_selector('[data-ws-state="connected"]')
        operator_page.fill("#chat-body", "8시에 2부가 시작돼요. 강당으로 모여 주세요!")
        operator_page.press("#chat-body", "Enter")

        # Then the student sees it at once, as an announcement
        student_page.wait_for_selector('.msg.announcement[data-seq="1"] .bubble:has-text("8시에 2부가 시작돼요")')
        save_screenshot(student_page, "chat-lobby-announcement")
