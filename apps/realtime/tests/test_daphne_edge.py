"""The WebSocket edge under real daphne: what reaches the peer when a frame or a handshake is refused."""

import asyncio
import json

import pytest
import websockets
from asgiref.sync import async_to_sync
from django.test import Client

from apps.accounts.tests.factories import make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DAPHNE_MAX_MESSAGE_BYTES = 1024 * 1024


def _session_cookie() -> str:
    client = Client()
    client.force_login(make_user())
    return f"sessionid={client.cookies['sessionid'].value}"


async def _open(base_url: str, cookie: str | None):
    headers = {"Origin": base_url} | ({"Cookie": cookie} if cookie else {})
    return await websockets.connect(base_url.replace("http", "ws", 1) + "/ws/", additional_headers=headers, max_size=None)


def test_an_oversized_frame_gets_a_1009_close_with_a_reason(daphne_server):
    cookie = _session_cookie()

    async def scenario():
        socket = await _open(daphne_server, cookie)
        assert json.loads(await socket.recv())["type"] == "hello"
        # When a frame over daphne's 1 MiB limit arrives (it used to vanish with the TCP connection)
        await socket.send("x" * (DAPHNE_MAX_MESSAGE_BYTES + 1))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), timeout=10)
        return socket.close_code, socket.close_reason

    code, reason = async_to_sync(scenario)()
    assert code == 1009
    assert reason == "received WebSocket message size 1048577 exceeds payload limit of 1048576 octets"


def test_a_deeply_nested_frame_gets_an_error_and_the_socket_stays_open(daphne_server):
    cookie = _session_cookie()

    async def scenario():
        socket = await _open(daphne_server, cookie)
        assert json.loads(await socket.recv())["type"] == "hello"
        await socket.send("[" * 990 + "]" * 990)
        error = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        await socket.send('{"type": "ping"}')
        pong = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        await socket.close()
        return error, pong

    error, pong = async_to_sync(scenario)()
    assert (error["type"], error["code"]) == ("error", "invalid_frame")
    assert pong["type"] == "pong"


@pytest.mark.parametrize("cookie", [None, "sessionid=forged"], ids=["no-cookie", "forged"])
def test_an_unauthenticated_handshake_reaches_the_peer_as_close_4401(daphne_server, cookie):
    async def scenario():
        socket = await _open(daphne_server, cookie)
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), timeout=10)
        return socket.close_code, socket.close_reason

    # daphne 4.2 sends the code of an ASGI close but not its reason
    assert async_to_sync(scenario)() == (4401, "")


def test_a_page_on_another_port_cannot_open_a_socket(daphne_server):
    cookie = _session_cookie()

    async def scenario():
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(
                daphne_server.replace("http", "ws", 1) + "/ws/",
                additional_headers={"Origin": "http://127.0.0.1:9", "Cookie": cookie},
            )
        return refused.value.response.status_code

    assert async_to_sync(scenario)() == 403
