"""The graceful drain of a real daphne process on SIGTERM (apps/realtime/drain.py)."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from apps.accounts.tests.factories import make_user
from apps.chat.models import Message
from apps.chat.tests.factories import make_pair
from conftest import ARTIFACTS, ROOT, _process_env, _wait_for_port, free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


class Daphne:
    def __init__(self, window_s: float) -> None:
        self.port = free_port()
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = open(ARTIFACTS / "daphne-drain.log", "ab")  # noqa: SIM115 - closed in stop()
        env = {**_process_env(), "WEBSOCKET_DRAIN_WINDOW_S": str(window_s), "WEBSOCKET_DRAIN_FINISH_TIMEOUT_S": "5"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "matchminds.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(self.port, self.process)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def daphne_factory():
    started: list[Daphne] = []

    def start(window_s: float) -> Daphne:
        started.append(Daphne(window_s))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


_cookie = sync_to_async(_session_cookie)


@sync_to_async
def _new_cookies(count: int) -> list[str]:
    return [_session_cookie(make_user()) for _ in range(count)]


async def _open(port: int, cookie: str):
    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/", additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}, open_timeout=10
    )
    # Apps' connect hooks may send their frames (presence …) ahead of `hello`.
    while json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] != "hello":
        pass
    return ws


async def _close_of(ws) -> tuple[int, float]:
    """The close code the server sent and when it arrived (frames before it are skipped)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 60)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None, time.monotonic()


def _refuses_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


def _wait_exit(process: subprocess.Popen, timeout_s: float) -> tuple[int, float]:
    started = time.monotonic()
    code = process.wait(timeout=timeout_s)
    return code, time.monotonic() - started


async def test_sigterm_stops_accepting_and_spreads_close_1012_over_the_window(daphne_factory):
    # Given a daphne with a 3 s drain window holding 8 signed-in sockets
    server = daphne_factory(window_s=3)
    cookies = await _new_cookies(8)
    sockets = [await _open(server.port, cookie) for cookie in cookies]
    closes = [asyncio.ensure_future(_close_of(ws)) for ws in sockets]
    # When it gets SIGTERM
    signalled = time.monotonic()
    os.kill(server.process.pid, signal.SIGTERM)
    await asyncio.sleep(0.3)
    # Then it stops accepting at once
    assert _refuses_connections(server.port)
    # And every socket is told to reconnect with 1012, spread over the window, not all at once
    results = await asyncio.gather(*closes)
    assert [code for code, _at in results] == [1012] * 8
    times = sorted(at - signalled for _code, at in results)
    assert times[-1] - times[0] >= 1.5
    assert times[-1] <= 3 + 1.0
    # And the process exits cleanly once they are gone
    code, _waited = await asyncio.to_thread(_wait_exit, server.process, 15)
    assert code == 0


async def test_a_socket_is_served_until_its_turn_and_its_write_is_committed(daphne_factory):
    # Given a pair in a room, Alice on a daphne with a 2 s drain window
    alice, _bob, room = await sync_to_async(make_pair)()
    server = daphne_factory(window_s=2)
    ws = await _open(server.port, await _cookie(alice))
    # When the process is told to stop and Alice sends a message during the drain
    os.kill(server.process.pid, signal.SIGTERM)
    await asyncio.sleep(0.2)
    await ws.send(json.dumps({"type": "message.send", "room": room.pk, "client_msg_id": "drain-1", "body": "안녕"}))
    # Then the send is acknowledged before her socket is closed with 1012, and it is stored
    frames = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            frames.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
    acks = [frame for frame in frames if frame["type"] == "message.ack"]
    assert [(ack["client_msg_id"], ack["seq"]) for ack in acks] == [("drain-1", 1)]
    assert closed.value.rcvd.code == 1012
    code, _waited = await asyncio.to_thread(_wait_exit, server.process, 15)
    assert code == 0
    stored = await sync_to_async(lambda: list(Message.objects.filter(room=room).values_list("client_msg_id", "body")))()
    assert stored == [("drain-1", "안녕")]


async def test_a_second_sigterm_closes_the_remaining_sockets_at_once(daphne_factory):
    # Given a daphne with a long (60 s) drain window holding 4 sockets, already draining
    server = daphne_factory(window_s=60)
    sockets = [await _open(server.port, cookie) for cookie in await _new_cookies(4)]
    closes = [asyncio.ensure_future(_close_of(ws)) for ws in sockets]
    os.kill(server.process.pid, signal.SIGTERM)
    await asyncio.sleep(0.5)
    assert not any(close.done() for close in closes)
    # When a second SIGTERM arrives
    second = time.monotonic()
    os.kill(server.process.pid, signal.SIGTERM)
    # Then the remaining sockets are all told to reconnect now, and the process exits cleanly
    results = await asyncio.gather(*closes)
    assert [code for code, _at in results] == [1012] * 4
    assert max(at for _code, at in results) - second < 2
    code, waited = await asyncio.to_thread(_wait_exit, server.process, 15)
    assert code == 0
    assert waited < 5
