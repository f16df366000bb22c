"""The channel layer as configured in settings, against a Redis of its own that restarts."""

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.conf import settings
from django.utils.module_loading import import_string

from apps.realtime.transport.channel_layer import EXCEPT_CHANNEL_KEY
from scripts.private_redis import PrivateRedis


@contextlib.asynccontextmanager
async def _configured_layer(port: int, prefix: str):
    """The channel layer class and host options of settings, on the private Redis; flushed after."""
    layer_settings = settings.CHANNEL_LAYERS["default"]
    host = {**layer_settings["CONFIG"]["hosts"][0], "address": f"redis://127.0.0.1:{port}/0"}
    layer = import_string(layer_settings["BACKEND"])(hosts=[host], prefix=prefix)
    try:
        yield layer
    finally:
        with contextlib.suppress(Exception):
            await layer.flush()


def _run_in_own_loop(scenario, *args) -> None:
    # Its own thread and loop: the suite's browser tests leave the main thread's loop running.
    with ThreadPoolExecutor(max_workers=1) as runner:
        runner.submit(asyncio.run, scenario(*args)).result(timeout=60)


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
    _run_in_own_loop(_restart_scenario, private_redis)


async def _restart_scenario(private_redis) -> None:
    async with _configured_layer(private_redis.port, "restart-test") as layer:
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


def _subscribe_calls(port: int) -> int:
    with contextlib.closing(redis.Redis(port=port)) as client:
        return int(client.info("commandstats").get("cmdstat_subscribe", {}).get("calls", 0))


def test_sockets_connecting_at_once_share_a_few_subscribe_commands(private_redis):
    _run_in_own_loop(_burst_scenario, private_redis)


async def _burst_scenario(private_redis) -> None:
    async with _configured_layer(private_redis.port, "burst-test") as layer:
        # given 40 sockets that each open their channel and join their own group and a shared one
        async def connect(n: int) -> str:
            channel = await layer.new_channel()
            await layer.group_add(f"user.{n}", channel)
            await layer.group_add("lobby", channel)
            return channel

        channels = await asyncio.gather(*(connect(n) for n in range(40)))

        # then they needed a handful of SUBSCRIBE commands, not one per channel and group (81)
        assert _subscribe_calls(private_redis.port) <= 6
        # and every one of them hears its own group and the shared one
        await layer.group_send("lobby", {"type": "realtime.frame", "n": "lobby"})
        for n in range(len(channels)):
            await layer.group_send(f"user.{n}", {"type": "realtime.frame", "n": n})
        for n, channel in enumerate(channels):
            assert (await asyncio.wait_for(layer.receive(channel), 5))["n"] == "lobby"
            assert (await asyncio.wait_for(layer.receive(channel), 5))["n"] == n


def test_a_group_left_and_joined_in_one_turn_ends_subscribed(private_redis):
    _run_in_own_loop(_rejoin_scenario, private_redis)


async def _rejoin_scenario(private_redis) -> None:
    async with _configured_layer(private_redis.port, "rejoin-test") as layer:
        leaving, joining = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("room.7", leaving)

        # given the group's last member leaves and another socket joins, before either is sent
        await asyncio.gather(layer.group_discard("room.7", leaving), layer.group_add("room.7", joining))

        # then the group is still subscribed and the new member hears it
        await _wait_until_subscribed(private_redis.port, layer._get_group_channel_name("room.7"), within_s=2)
        await layer.group_send("room.7", {"type": "realtime.frame", "n": 1})
        assert (await asyncio.wait_for(layer.receive(joining), 5))["n"] == 1


def test_a_caller_cancelled_while_waiting_does_not_strand_the_others(private_redis):
    _run_in_own_loop(_cancel_scenario, private_redis)


async def _cancel_scenario(private_redis) -> None:
    async with _configured_layer(private_redis.port, "cancel-test") as layer:
        # given 10 sockets opening their channels in one turn, one of them cancelled at once
        # (its client went away mid-handshake)
        openings = [asyncio.ensure_future(layer.new_channel()) for _ in range(10)]
        await asyncio.sleep(0)
        openings[0].cancel()

        # then the other nine still open, subscribed, and hear what is sent to them
        channels = await asyncio.wait_for(asyncio.gather(*openings[1:]), 5)
        assert openings[0].cancelled()
        for n, channel in enumerate(channels):
            await layer.send(channel, {"type": "realtime.frame", "n": n})
            assert (await asyncio.wait_for(layer.receive(channel), 5))["n"] == n


def test_a_group_message_is_decoded_once_and_skips_the_socket_it_excepts(private_redis):
    _run_in_own_loop(_except_scenario, private_redis)


async def _except_scenario(private_redis) -> None:
    async with _configured_layer(private_redis.port, "except-test") as layer:
        # given three sockets of one process in a room, the second one having sent a message
        sender = 1
        channels = [await layer.new_channel() for _ in range(3)]
        for channel in channels:
            await layer.group_add("room.3", channel)
        await layer.group_send("room.3", {"type": "realtime.frame", "n": 1, EXCEPT_CHANNEL_KEY: channels[sender]})
        await layer.group_send("room.3", {"type": "realtime.frame", "n": 2})

        # then the others both get the first message, as one decoded dict
        first, third = [await asyncio.wait_for(layer.receive(channels[i]), 5) for i in (0, 2)]
        assert first["n"] == third["n"] == 1
        assert first is third
        # and the sender's socket never sees it: the next message is the first it gets
        assert (await asyncio.wait_for(layer.receive(channels[sender]), 5))["n"] == 2


def test_messages_read_together_all_arrive_in_order_and_the_subscriptions_keep_working(private_redis):
    _run_in_own_loop(_read_together_scenario, private_redis)


async def _read_together_scenario(private_redis) -> None:
    async with _configured_layer(private_redis.port, "read-together-test") as layer:
        # given a socket in a room and a burst of messages published in one pipeline, so that
        # one socket read of the layer brings many of them
        channel = await layer.new_channel()
        await layer.group_add("room.5", channel)
        pubsub = layer._get_layer()._shards[0]._pubsub
        trips = {"get_message": 0}
        get_message = pubsub.get_message

        async def counted_get_message(*args, **kwargs):
            trips["get_message"] += 1
            return await get_message(*args, **kwargs)

        pubsub.get_message = counted_get_message
        with contextlib.closing(redis.Redis(port=private_redis.port)) as client:
            group_channel = layer._get_layer()._get_group_channel_name("room.5")
            pipe = client.pipeline(transaction=False)
            for number in range(300):
                pipe.publish(group_channel, layer.serialize({"type": "realtime.frame", "n": number}))
            pipe.execute()
            # and a second room joined while those are still being handed out
            other = await layer.new_channel()
            await layer.group_add("room.6", other)
            other_channel = layer._get_layer()._get_group_channel_name("room.6")
            # (pub/sub is at-most-once: publish only once Redis has taken the SUBSCRIBE)
            await _wait_until_subscribed(private_redis.port, other_channel, within_s=5)
            client.publish(other_channel, layer.serialize({"type": "x", "n": -1}))

        # then every message arrives once and in order
        received = [(await asyncio.wait_for(layer.receive(channel), 5))["n"] for _ in range(300)]
        assert received == list(range(300))
        # and most of them were handed out straight from the read that brought them
        assert trips["get_message"] < 150
        # and the subscription made meanwhile works (its confirmation took redis-py's own path)
        assert (await asyncio.wait_for(layer.receive(other), 5))["n"] == -1
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(channel), 0.3)


def test_a_channel_made_into_a_queue_gets_its_messages_there_and_unsubscribes_when_closed(private_redis):
    _run_in_own_loop(_inbox_scenario, private_redis)


async def _inbox_scenario(private_redis) -> None:
    async with _configured_layer(private_redis.port, "inbox-test") as layer:
        # given two sockets whose channels deliver into their own inboxes, in one room
        inboxes = [asyncio.Queue(), asyncio.Queue()]
        channels = [await layer.new_channel_into(inbox.put_nowait) for inbox in inboxes]
        for channel in channels:
            await layer.group_add("room.5", channel)

        # when the first sends to the room, then someone writes to the first directly
        await layer.group_send("room.5", {"type": "realtime.frame", "n": 1, EXCEPT_CHANNEL_KEY: channels[0]})
        await layer.send(channels[0], {"type": "realtime.frame", "n": 2})

        # then each inbox holds exactly its messages, decoded, in order
        assert (await asyncio.wait_for(inboxes[1].get(), 5))["n"] == 1
        assert (await asyncio.wait_for(inboxes[0].get(), 5))["n"] == 2
        assert inboxes[0].empty() and inboxes[1].empty()

        # and a closed channel is unsubscribed in Redis, and hears nothing more
        await layer.close_channel(channels[0])
        with contextlib.closing(redis.Redis(port=private_redis.port)) as client:
            assert dict(client.pubsub_numsub(channels[0])).get(channels[0].encode(), 0) == 0
        await layer.send(channels[0], {"type": "realtime.frame", "n": 3})
        await layer.group_send("room.5", {"type": "realtime.frame", "n": 4})
        assert (await asyncio.wait_for(inboxes[1].get(), 5))["n"] == 4
        assert inboxes[0].empty()
