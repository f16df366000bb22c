"""The transport's contract with the private internals it relies on (apps/realtime/transport/).

`apps/realtime/transport/` (and the gateway's two overrides in apps/realtime/consumers.py)
use private names of channels-redis, redis-py, channels, daphne, autobahn and twisted. They
were written against the versions below. An upgrade fails here first, naming what to
re-read, instead of failing quietly in production (a lost subscribe, a frame sent twice).
After re-reading the listed code against the new version, update WRITTEN_AGAINST.
"""

import importlib.metadata
import inspect
import re

import pytest

WRITTEN_AGAINST = {
    "channels-redis": "4.3.0",
    "redis": "8.1.0",
    "channels": "4.3.2",
    "daphne": "4.2.3",
    "autobahn": "26.11.1",
    "twisted": "26.10.0",
}

WHAT_TO_RECHECK = {
    "channels-redis": "transport/channel_layer.py (shard subclass, _do_receiving, _wrap_close) and transport/publisher.py",
    "redis": "transport/channel_layer.py `_receive_buffered` (hiredis parser `_reader`, `_connected`, NOT_ENOUGH_DATA)",
    "channels": "realtime/consumers.py GatewayConsumer.__call__ and .dispatch (copies of AsyncConsumer's)",
    "daphne": "realtime/consumers.py GatewayConsumer.__call__ (receive is the inbox queue's bound `get`)",
    "autobahn": "transport/server_tuning.py defer_autobahn_debug_formatting and transport/autobahn_patch.py",
    "twisted": "transport/server_tuning.py _write_through (tcp.Connection internals)",
}


def own_attributes(cls) -> set[str]:
    """Attribute names a class's methods assign on `self`."""
    return set(re.findall(r"self\.(\w+)\s*=[^=]", inspect.getsource(cls)))


@pytest.mark.parametrize("distribution", sorted(WRITTEN_AGAINST))
def test_the_installed_version_is_the_one_the_transport_was_written_against(distribution):
    installed = importlib.metadata.version(distribution)
    assert installed == WRITTEN_AGAINST[distribution], (
        f"{distribution} is {installed}, the transport was written against {WRITTEN_AGAINST[distribution]}: "
        f"re-read {WHAT_TO_RECHECK[distribution]} against the new version, then update WRITTEN_AGAINST"
    )


def test_channels_redis_private_api():
    from channels_redis import pubsub, utils

    assert list(inspect.signature(utils._wrap_close).parameters) == ["proxy", "loop"]
    assert list(inspect.signature(pubsub.RedisSingleShardConnection.__init__).parameters) == ["self", "host", "channel_layer"]
    shard = own_attributes(pubsub.RedisSingleShardConnection)
    assert {"_lock", "_subscribed_to", "_pubsub", "_redis", "_receive_task"} <= shard
    for method in ("_ensure_redis", "_ensure_receiver", "_do_receiving", "_receive_message"):
        assert callable(getattr(pubsub.RedisSingleShardConnection, method)), method
    # _ensure_receiver starts the receive loop this transport overrides.
    assert "_do_receiving" in inspect.getsource(pubsub.RedisSingleShardConnection._ensure_receiver)
    loop_layer = pubsub.RedisPubSubLoopLayer
    assert {"_shards", "channels", "groups", "prefix", "channel_layer"} <= own_attributes(loop_layer)
    assert "self._shards = [" in inspect.getsource(loop_layer.__init__)
    assert list(inspect.signature(loop_layer._get_group_channel_name).parameters) == ["self", "group"]
    assert list(inspect.signature(loop_layer._get_shard).parameters) == ["self", "channel_or_group_name"]
    assert {"_args", "_kwargs", "_layers"} <= own_attributes(pubsub.RedisPubSubChannelLayer)
    assert "_get_layer" in vars(pubsub.RedisPubSubChannelLayer)


def test_redis_parser_private_api():
    from redis._parsers import hiredis

    assert hiredis.NOT_ENOUGH_DATA is not None
    assert {"_reader", "_connected"} <= own_attributes(hiredis._AsyncHiredisParser)


def test_channels_and_daphne_internals_the_gateway_overrides():
    import channels.consumer
    import daphne.server

    # GatewayConsumer.__call__ replaces this loop; its dispatch leaves out this call.
    assert "await_many_dispatch" in inspect.getsource(channels.consumer.AsyncConsumer.__call__)
    assert "aclose_old_connections" in inspect.getsource(channels.consumer.AsyncConsumer.dispatch)
    # The gateway reads the server's inbox through `receive.__self__`.
    assert "receive=input_queue.get" in inspect.getsource(daphne.server.Server.create_application)


def test_autobahn_names_the_server_tuning_replaces():
    import autobahn.exception
    import autobahn.twisted.websocket
    import autobahn.util
    import autobahn.websocket.protocol

    for module in (autobahn.websocket.protocol, autobahn.twisted.websocket):
        assert module.hltype.__module__ in ("autobahn.util", "apps.realtime.transport.server_tuning"), module
        assert hasattr(module, "hlval"), module
    assert hasattr(autobahn.websocket.protocol, "pformat")
    assert "_timings" in inspect.getsource(autobahn.websocket.protocol.Timings.__init__)
    assert issubclass(autobahn.exception.Disconnected, Exception)


def test_twisted_connection_internals_the_write_through_reads():
    from twisted.internet import abstract, tcp

    source = inspect.getsource(abstract.FileDescriptor)
    for name in ("_tempDataBuffer", "dataBuffer", "offset", "_writeDisconnected", "connected"):
        assert f"self.{name}" in source or f"    {name} =" in source, name
    assert "TLS" in vars(tcp.Connection) or hasattr(tcp.Connection, "TLS")
    assert "self.socket" in inspect.getsource(tcp.Connection.__init__)
