"""Frames handed over by a server's writer threads, published by its event loop in order."""

import asyncio
import threading

from channels.layers import get_channel_layer

from apps.realtime.transport.publisher import OrderedPublisher, chunk_count, publish_many

GROUP = "ordered-publisher-test"


def run_in_own_loop(scenario) -> None:
    """Browser tests leave the main thread's loop running; each scenario gets its own."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the scenario did not finish within 30 s"
    if errors:
        raise errors[0]


async def subscribed_channel():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)
    return layer, channel


async def received_numbers(layer, channel, count: int) -> list[int]:
    return [(await asyncio.wait_for(layer.receive(channel), 5))["frame"]["n"] for _ in range(count)]


def test_frames_handed_over_by_threads_are_published_in_hand_over_order():
    async def scenario() -> None:
        layer, channel = await subscribed_channel()
        publisher = OrderedPublisher(asyncio.get_running_loop())

        def writer_thread() -> None:
            for number in range(200):
                publisher.hand_over([([GROUP], {"type": "test", "n": number}, None)])

        await asyncio.get_running_loop().run_in_executor(None, writer_thread)
        assert await received_numbers(layer, channel, 200) == list(range(200))
        await layer.group_discard(GROUP, channel)

    run_in_own_loop(scenario)


def test_a_publish_that_fails_is_logged_and_the_next_hand_over_still_goes_out(caplog):
    async def scenario() -> None:
        layer, channel = await subscribed_channel()
        publisher = OrderedPublisher(asyncio.get_running_loop())
        publisher.hand_over([([GROUP], {"type": "test", "n": object()}, None)])  # msgpack cannot carry it
        while publisher.publishing or publisher.handed_over:
            await asyncio.sleep(0.01)
        publisher.hand_over([([GROUP], {"type": "test", "n": 1}, None)])
        assert await received_numbers(layer, channel, 1) == [1]
        await layer.group_discard(GROUP, channel)

    run_in_own_loop(scenario)
    assert "publishing 1 frames failed" in caplog.text


def test_a_large_fan_out_leaves_in_several_pipelines_in_order(settings):
    """Given pipelines of 3 frames: 10 frames leave in 4 of them, and arrive all and in order."""
    settings.REALTIME_PUBLISH_CHUNK = 3
    pairs = [([GROUP], {"type": "test", "n": number}, None) for number in range(10)]
    assert chunk_count(pairs) == 4
    assert chunk_count([]) == 1

    async def scenario() -> None:
        layer, channel = await subscribed_channel()
        await publish_many(pairs)
        assert await received_numbers(layer, channel, 10) == list(range(10))
        await layer.group_discard(GROUP, channel)

    run_in_own_loop(scenario)
