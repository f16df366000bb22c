"""The gateway's receive loop: every message of every source in arrival order (a gateway
override of channels' `await_many_dispatch`, kept with the rest of the transport)."""

import asyncio
import contextlib


async def dispatch_in_arrival_order(sources: list, dispatch) -> None:
    """Hand every message of every source to `dispatch`, one at a time, in arrival order.

    channels' `await_many_dispatch` does the same with an `asyncio.wait` over all sources and
    a new task for every message: about a fifth of a busy chat process's event-loop CPU
    (measured at 1,500 messages/s). Here each source has one long-lived pump into one queue.
    Cancelling the pumps on the way out cancels the sources' pending receives, as channels
    does (the channel layer then unsubscribes the socket's channel).
    """
    queue: asyncio.Queue = asyncio.Queue()

    async def pump(source) -> None:
        try:
            while True:
                queue.put_nowait((await source(), None))
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # noqa: BLE001 - re-raised by the dispatch loop below
            queue.put_nowait((None, error))

    pumps = [asyncio.ensure_future(pump(source)) for source in sources]
    try:
        while True:
            message, error = await queue.get()
            if error is not None:
                raise error
            await dispatch(message)
    finally:
        for task in pumps:
            task.cancel()
        for task in pumps:
            with contextlib.suppress(asyncio.CancelledError):
                await task
