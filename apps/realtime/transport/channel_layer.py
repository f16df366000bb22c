"""channels-redis's pub/sub layer, with each loop turn's SUBSCRIBEs and UNSUBSCRIBEs sent as
one, and each published message decoded once for all of the process's receivers.

Stock `RedisSingleShardConnection` sends one SUBSCRIBE or UNSUBSCRIBE per call, each under
the shard's one `asyncio.Lock`. That lock hands over to one waiter per turn of the event
loop, so when thousands of sockets (re)connect at once, every subscribe of the process
queues behind the others: in the fault bench the lock was held for p90 2 ms but waited for
p90 25 s. Here callers only record what they want; one flusher task per shard sends all
the recorded changes as one SUBSCRIBE and one UNSUBSCRIBE, then wakes every caller.

Stock receivers each decode their own copy of a group message: a lobby announcement was
decoded once per socket of the process, and a 1:1 message also reached its sender's socket,
which only dropped it (apps/realtime/events.py names that socket in `except_channel`). Here
the message is decoded once, and every receiver but the excepted one gets that same dict:
receivers must not change it.

Stock receiving takes each published message through redis-py's `PubSub.get_message`: a
health check, a retry wrapper, a timeout scope and an observability hook per message, even
when the message is already read and parsed (one socket read brings every message that
arrived meanwhile). Here the first message of a read still goes that way, so reconnects,
subscribe replies and errors are handled as before; the plain messages already parsed behind
it are handed out directly.

Stock channels wait in a queue of the layer until their consumer's `receive` takes them:
every message woke a task that only moved it to the consumer. `new_channel_into` gives a
channel whose messages go straight into a queue the consumer already reads (apps/realtime/
consumers.py hands over its server's inbox, so a socket's frames and layer messages share one
queue and one task: 27.8 KB of RSS per open socket in the chat bench, from 38.5 KB with a
layer queue and two pump tasks per socket).
"""

import asyncio
import enum
import logging
import uuid
from collections.abc import Callable
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close, decode_hosts
from redis._parsers.hiredis import NOT_ENOUGH_DATA

logger = logging.getLogger(__name__)

# The one channel a group message must not reach (apps/realtime/events.py sets it).
EXCEPT_CHANNEL_KEY = "except_channel"


class Decoded:
    """A message the shard has already decoded; `deserialize` hands it over as it is."""

    __slots__ = ("message",)

    def __init__(self, message: dict[str, Any]) -> None:
        self.message = message


class Want(enum.Enum):
    SUBSCRIBED = "subscribe"
    UNSUBSCRIBED = "unsubscribe"


class CoalescingShardConnection(RedisSingleShardConnection):
    def __init__(self, host, channel_layer) -> None:
        super().__init__(host, channel_layer)
        # What callers asked for since the flusher last took the list: the last wish per
        # Redis channel wins, because the layer's own bookkeeping (its channel and group
        # tables) already reflects the latest call.
        self._wanted: dict[str, Want] = {}
        self._waiters: list[asyncio.Future] = []
        self._flusher: asyncio.Task | None = None

    async def subscribe(self, channel: str) -> None:
        await self._want(channel, Want.SUBSCRIBED)

    async def unsubscribe(self, channel: str) -> None:
        await self._want(channel, Want.UNSUBSCRIBED)

    async def _want(self, channel: str, want: Want) -> None:
        flusher_idle = self._flusher is None or self._flusher.done()
        # Only an idle flusher makes `_subscribed_to` the whole truth: while one is sending,
        # an UNSUBSCRIBE of this very channel may be on its way, so the wish must queue
        # behind it.
        if flusher_idle and (channel in self._subscribed_to) is (want is Want.SUBSCRIBED):
            return
        self._wanted[channel] = want
        done = asyncio.get_running_loop().create_future()
        self._waiters.append(done)
        if flusher_idle:
            # A task of its own: a caller that is cancelled (its socket closed mid-connect)
            # must not take the other callers' flush down with it.
            self._flusher = asyncio.ensure_future(self._flush_wanted())
        # A caller cancelled here cancels only its own `done`; the flusher skips it.
        await done

    async def _flush_wanted(self) -> None:
        while self._wanted:
            async with self._lock:
                wanted, self._wanted = self._wanted, {}
                waiters, self._waiters = self._waiters, []
                try:
                    await self._send(wanted)
                except BaseException as error:  # noqa: BLE001 - handed to every caller below
                    outcome: BaseException | None = error
                else:
                    outcome = None
            for waiter in waiters:
                if waiter.done():
                    continue
                if outcome is None:
                    waiter.set_result(None)
                elif isinstance(outcome, asyncio.CancelledError):
                    waiter.cancel()
                else:
                    waiter.set_exception(outcome)
            if isinstance(outcome, asyncio.CancelledError):
                raise outcome

    async def _send(self, wanted: dict[str, Want]) -> None:
        to_subscribe = [c for c, want in wanted.items() if want is Want.SUBSCRIBED and c not in self._subscribed_to]
        to_unsubscribe = [c for c, want in wanted.items() if want is Want.UNSUBSCRIBED and c in self._subscribed_to]
        if not (to_subscribe or to_unsubscribe):
            return
        self._ensure_redis()
        self._ensure_receiver()
        if to_subscribe:
            await self._pubsub.subscribe(*to_subscribe)
            self._subscribed_to.update(to_subscribe)
        if to_unsubscribe:
            await self._pubsub.unsubscribe(*to_unsubscribe)
            self._subscribed_to.difference_update(to_unsubscribe)

    async def _do_receiving(self) -> None:
        """channels-redis's receive loop, with the messages already read behind each one
        handed out without a trip through `get_message` (module docstring)."""
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                    self._receive_message(message)
                    await self._receive_buffered()
                else:
                    await asyncio.sleep(0.1)
            except (TimeoutError, asyncio.CancelledError, GeneratorExit):
                raise
            except BaseException:
                logger.exception("Unexpected exception in receive task")
                await asyncio.sleep(1)

    async def _receive_buffered(self) -> None:
        """Every reply already parsed from the pub/sub connection's last read, without I/O.

        A published message (`message`, channel, data) goes straight to the receivers; any
        other reply (a subscribe confirmation, a health-check pong) takes redis-py's own
        handling, as it would have in `get_message`.
        """
        connection = self._pubsub.connection if self._pubsub else None
        parser = getattr(connection, "_parser", None)
        reader = getattr(parser, "_reader", None)
        if reader is None or not getattr(parser, "_connected", False):
            return  # another parser, or a connection closing: `get_message` deals with it
        while (reply := reader.gets()) is not NOT_ENOUGH_DATA:
            if isinstance(reply, list) and len(reply) == 3 and reply[0] in (b"message", "message"):
                self._receive_message({"channel": reply[1], "data": reply[2]})
            elif isinstance(reply, Exception):
                raise reply
            else:
                self._receive_message(await self._pubsub.handle_message(reply, ignore_subscribe_messages=True))

    def _receive_message(self, message) -> None:
        if message is None:
            return
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        layer = self.channel_layer
        if name in layer.channels:
            receivers = [name]
        else:
            receivers = [channel for channel in layer.groups.get(name, ()) if channel in layer.channels]
        if not receivers:
            return
        try:
            decoded = layer.channel_layer.deserialize(message["data"])
        except Exception:
            logger.exception("dropped a message on %s that does not decode", name)
            return
        excepted = decoded.get(EXCEPT_CHANNEL_KEY) if isinstance(decoded, dict) else None
        shared = Decoded(decoded)
        for channel in receivers:
            if channel != excepted:
                layer.channels[channel].put_nowait(shared)


class _Inbox:
    """Stands in for a channel's queue in the layer's table: hands each message on, decoded."""

    __slots__ = ("deserialize", "put")

    def __init__(self, put: Callable[[Any], None], deserialize: Callable[[Any], Any]) -> None:
        self.put, self.deserialize = put, deserialize

    def put_nowait(self, message) -> None:
        self.put(self.deserialize(message))


class CoalescingLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, hosts=None, **kwargs) -> None:
        super().__init__(hosts=hosts, **kwargs)
        self._shards = [CoalescingShardConnection(host, self) for host in decode_hosts(hosts)]


class CoalescingPubSubChannelLayer(RedisPubSubChannelLayer):
    """`RedisPubSubChannelLayer` whose shards coalesce subscriptions and decode each message
    once (module docstring)."""

    def deserialize(self, message):
        if isinstance(message, Decoded):
            return message.message
        return super().deserialize(message)

    async def new_channel_into(self, put: Callable[[dict], None], prefix: str = "specific.") -> str:
        """A new channel whose messages are handed to `put`, decoded, as they arrive (module
        docstring). Nothing may `receive` on it; `close_channel` ends it."""
        layer = self._get_layer()
        channel = f"{layer.prefix}{prefix}{uuid.uuid4().hex}"
        layer.channels[channel] = _Inbox(put, self.deserialize)
        try:
            await layer._get_shard(channel).subscribe(channel)
        except BaseException:
            # Redis is away: the socket is refused and never closes this channel.
            del layer.channels[channel]
            raise
        return channel

    async def close_channel(self, channel: str) -> None:
        """What a stock channel's cancelled `receive` does: forget it and unsubscribe."""
        layer = self._get_layer()
        if layer.channels.pop(channel, None) is not None:
            await layer._get_shard(channel).unsubscribe(channel)

    def _get_layer(self) -> CoalescingLoopLayer:
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = self._layers[loop] = CoalescingLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
            return layer
