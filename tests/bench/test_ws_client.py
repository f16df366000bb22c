"""The benches' lean WebSocket client against a real server (the `websockets` library's)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

from bench import ws_client


def _run(scenario) -> None:
    # Its own thread and loop: the suite's browser tests leave the main thread's loop running.
    with ThreadPoolExecutor(max_workers=1) as runner:
        runner.submit(asyncio.run, scenario()).result(timeout=30)


class Received:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.closes = 0
        self.arrived = asyncio.Event()
        self.closed = asyncio.Event()

    def on_message(self, text: str) -> None:
        self.messages.append(text)
        self.arrived.set()

    def on_close(self, _socket) -> None:
        self.closes += 1
        self.closed.set()

    async def wait_for(self, count: int) -> list[str]:
        while len(self.messages) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 5)
        return self.messages


async def _connect(port: int, received: Received, **kwargs) -> ws_client.LeanWebSocket:
    return await ws_client.connect(
        "127.0.0.1", port, "/ws/", on_message=received.on_message, on_close=received.on_close, **kwargs
    )


def test_messages_both_ways_in_order_whatever_their_size():
    async def scenario() -> None:
        seen_cookies = []

        async def echo(connection) -> None:
            seen_cookies.append(connection.request.headers["Cookie"])
            await connection.send("hello ✓")  # sent with the handshake, before any request
            async for message in connection:
                await connection.send(message)

        async with serve(echo, "127.0.0.1", 0, compression=None) as server:
            port = server.sockets[0].getsockname()[1]
            received = Received()
            socket = await _connect(port, received, headers={"Cookie": "sessionid=abc"})
            # given a socket whose server greets it at once
            texts = ["짧은 메시지", "x" * 125, "y" * 126, "z" * 70_000, ""]
            for text in texts:
                assert socket.send_text(text)

            # then the greeting and every echo arrive whole and in order, lengths of every form included
            assert await received.wait_for(1 + len(texts)) == ["hello ✓", *texts]
            assert seen_cookies == ["sessionid=abc"]
            socket.transport.abort()

    _run(scenario)


def test_fragmented_messages_are_joined_and_pings_answered():
    async def scenario() -> None:
        async def fragments_then_ping(connection) -> None:
            await connection.send(["frag", "ment", "ed"])  # one message in three frames
            await asyncio.wait_for(await connection.ping(b"are you there"), 5)  # needs our pong
            await connection.send("after the pong")
            await connection.wait_closed()

        async with serve(fragments_then_ping, "127.0.0.1", 0, compression=None) as server:
            received = Received()
            socket = await _connect(server.sockets[0].getsockname()[1], received)
            assert await received.wait_for(2) == ["fragmented", "after the pong"]
            socket.transport.abort()

    _run(scenario)


def test_a_server_close_is_reported_once_and_later_sends_are_refused():
    async def scenario() -> None:
        async def close_at_once(connection) -> None:
            await connection.send("bye")
            await connection.close(code=4401, reason="unauthenticated")

        async with serve(close_at_once, "127.0.0.1", 0, compression=None) as server:
            received = Received()
            socket = await _connect(server.sockets[0].getsockname()[1], received)
            await asyncio.wait_for(received.closed.wait(), 5)
            # the frame sent before the close still arrived, the close was reported once
            assert received.messages == ["bye"]
            assert received.closes == 1
            assert socket.send_text("too late") is False

    _run(scenario)


def test_a_refused_upgrade_raises_with_its_status():
    async def scenario() -> None:
        def refuse(connection, request):
            return Response(403, "Forbidden", Headers(), b"no")

        async with serve(lambda connection: None, "127.0.0.1", 0, process_request=refuse) as server:
            received = Received()
            with pytest.raises(ws_client.HandshakeRejected) as refused:
                await _connect(server.sockets[0].getsockname()[1], received)
            assert refused.value.status == 403
            assert received.closes == 0

    _run(scenario)
