"""Admission control of the gateway: a reconnect storm is refused fast, abandoned handshakes cost nothing."""

import asyncio
import time

import pytest
import websockets
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from apps.accounts.tests.factories import make_user
from apps.realtime import presence
from conftest import run_daphne
from matchminds.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in() -> tuple[int, str]:
    user = make_user()
    client = Client()
    client.force_login(user)
    return user.pk, f"sessionid={client.cookies['sessionid'].value}"


def _communicator(cookie: str) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost"), (b"cookie", cookie.encode())]
    return WebsocketCommunicator(application, "/ws/", headers=headers)


async def _assert_refused_as_busy(communicator: WebsocketCommunicator) -> None:
    connected, _ = await communicator.connect()
    assert connected is True  # accepted so that the browser sees the code, not a bare 1006
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4013,
        "reason": "server busy",
    }


async def test_a_handshake_its_client_abandoned_is_dropped_without_any_work():
    user_id, cookie = await sync_to_async(_signed_in)()
    communicator = _communicator(cookie)

    # Given a handshake whose client left before the server got to it (both queued in its inbox)
    await communicator.send_input({"type": "websocket.connect"})
    await communicator.send_input({"type": "websocket.disconnect", "code": 1006})

    # Then the consumer ends without accepting, and never looked the session up nor touched presence
    await communicator.wait(timeout=5)
    assert await communicator.receive_nothing(timeout=0.2)
    assert await sync_to_async(presence.user_last_seen)(user_id=user_id) is None

    # And the same session connects normally afterwards
    again = _communicator(cookie)
    connected, _ = await again.connect()
    assert connected
    assert (await again.receive_json_from(timeout=5))["type"] == "hello"
    assert await sync_to_async(presence.user_is_online)(user_id=user_id)
    await again.disconnect()


async def test_beyond_the_connects_in_progress_limit_a_socket_is_closed_with_4013_at_once(settings):
    _user_id, cookie = await sync_to_async(_signed_in)()
    settings.WEBSOCKET_MAX_CONNECTS_IN_PROGRESS = 0
    communicator = _communicator(cookie)

    await _assert_refused_as_busy(communicator)


async def test_a_connect_that_waited_past_the_limit_is_closed_with_4013_before_its_session_lookup(settings):
    user_id, cookie = await sync_to_async(_signed_in)()
    # Given a process where any wait for the session lookup is too long
    settings.WEBSOCKET_CONNECT_MAX_WAIT_S = -1
    communicator = _communicator(cookie)

    # Then the socket is told "server busy", and presence was never touched
    await _assert_refused_as_busy(communicator)
    assert await sync_to_async(presence.user_last_seen)(user_id=user_id) is None

    # And with the default limit the same session gets its hello
    settings.WEBSOCKET_CONNECT_MAX_WAIT_S = 10.0
    again = _communicator(cookie)
    assert (await again.connect())[0]
    assert (await again.receive_json_from(timeout=5))["type"] == "hello"
    await again.disconnect()


@pytest.mark.integration
def test_under_real_daphne_a_burst_beyond_the_limit_is_refused_fast_and_the_rest_get_hello():
    cookie = _signed_in()[1]
    burst = 40

    async def one(base_url: str) -> tuple[str, float]:
        started = time.monotonic()
        headers = {"Origin": base_url, "Cookie": cookie}
        async with websockets.connect(base_url.replace("http", "ws", 1) + "/ws/", additional_headers=headers) as socket:
            try:
                first = await asyncio.wait_for(socket.recv(), timeout=20)
            except websockets.ConnectionClosed:
                return f"closed {socket.close_code}", time.monotonic() - started
            return ("hello" if '"hello"' in first else first), time.monotonic() - started

    async def scenario(base_url: str):
        outcomes = await asyncio.gather(*(one(base_url) for _ in range(burst)))
        after = await one(base_url)
        return outcomes, after

    # Given one web process that takes one connect at a time, on one thread
    env = {"WEBSOCKET_MAX_CONNECTS_IN_PROGRESS": "1", "WEBSOCKET_SYNC_THREADS": "1"}
    with run_daphne(extra_env=env) as base_url:
        # When 40 sockets arrive at once
        outcomes, after = async_to_sync(scenario)(base_url)

    kinds = [kind for kind, _seconds in outcomes]
    # Then each either got hello or was closed with 4013, some of each, and nothing else happened
    assert set(kinds) == {"hello", "closed 4013"}, kinds
    # And the refused ones were told within seconds (no session lookup, no queueing behind the others)
    assert max(seconds for kind, seconds in outcomes if kind == "closed 4013") < 5
    # And once the burst is over, the process admits again
    assert after[0] == "hello"
