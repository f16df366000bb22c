"""The channel layer as configured in settings, against a Redis of its own that restarts."""

import asyncio
import contextlib
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="layer-redis-")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", self.dir],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


async def _wait_until_subscribed(port: int, channel: str, *, within_s: float) -> None:
    """Pub/sub is at-most-once: a publish before the re-subscription reaches nobody (the
    chat's resume covers that gap); what must hold is that the subscription comes back."""
    deadline = time.monotonic() + within_s
    with contextlib.closing(redis.Redis(port=port)) as client:
        while dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) < 1:
            assert time.monotonic() < deadline, f"{channel} was not subscribed again within {within_s} s"
            await asyncio.sleep(0.1)


def test_a_subscribed_socket_still_hears_its_group_after_redis_restarts(private_redis):
    # Its own thread and loop: the suite's browser tests leave the main thread's loop running.
    with ThreadPoolExecutor(max_workers=1) as runner:
        runner.submit(asyncio.run, _restart_scenario(private_redis)).result(timeout=60)


async def _restart_scenario(private_redis) -> None:
    host = {**settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0], "address": f"redis://127.0.0.1:{private_redis.port}/0"}
    layer = RedisPubSubChannelLayer(hosts=[host], prefix="restart-test")
    try:
        channel = await layer.new_channel()
        await layer.group_add("room.1", channel)
        await layer.group_send("room.1", {"type": "realtime.frame", "n": 1})
        assert (await asyncio.wait_for(layer.receive(channel), 5))["n"] == 1

        private_redis.stop()
        await asyncio.sleep(0.5)  # the receive task meets the closed connection
        private_redis.start()

        await _wait_until_subscribed(private_redis.port, layer._get_group_channel_name("room.1"), within_s=10)
        await layer.group_send("room.1", {"type": "realtime.frame", "n": 2})
        assert (await asyncio.wait_for(layer.receive(channel), 10))["n"] == 2
    finally:
        with contextlib.suppress(Exception):
            await layer.flush()
