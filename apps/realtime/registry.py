"""Where feature apps plug into the single `/ws/` gateway.

Apps register frame handlers and connect/disconnect hooks from their `consumers.py`,
imported by their AppConfig.ready(). Each frame handler names its inbound TypedDict (the one
its app's protocol.py lists in INBOUND); the gateway checks every frame against it before the
handler runs (apps.realtime.frame_schema), so a handler receives a frame of the right shape,
calls a service, and raises DomainError for the gateway to turn into an `error` frame.
"""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from apps.realtime.frame_schema import frame_check, frame_types

if TYPE_CHECKING:
    from apps.realtime.consumers import GatewayConsumer

FrameHandler = Callable[["GatewayConsumer", dict[str, Any]], Awaitable[None]]
# Checks one decoded frame against its TypedDict and returns it; raises DomainError.
FrameCheck = Callable[[dict[str, Any]], dict[str, Any]]
ConnectionHook = Callable[["GatewayConsumer"], Awaitable[None]]
# Sync, (user_id=) -> data: runs inside the socket's single off-loop hop at connect (ORM and
# sync Redis allowed); its result is `consumer.connect_data[name]` for the async hooks.
ConnectLoader = Callable[..., Any]
# Sync, (user_id=, redis_writes=) -> None: runs first in that hop and queues Redis writes on
# `redis_writes`, a pipeline the gateway executes once for every writer (one round trip);
# loaders run after it, so they read what the writers wrote.
ConnectWriter = Callable[..., None]
# The same, on every heartbeat: queued on the pipeline that refreshes the socket's presence.
HeartbeatWriter = Callable[..., None]

frame_handlers: dict[str, FrameHandler] = {}
frame_schemas: dict[str, type] = {}
frame_checks: dict[str, FrameCheck] = {}
connect_hooks: list[ConnectionHook] = []
disconnect_hooks: list[ConnectionHook] = []
heartbeat_hooks: list[ConnectionHook] = []
connect_loaders: dict[str, ConnectLoader] = {}
connect_writers: list[ConnectWriter] = []
heartbeat_writers: list[HeartbeatWriter] = []


def frame_handler(frame_type: str, *, schema: type) -> Callable[[FrameHandler], FrameHandler]:
    """Register the handler of an inbound frame type and the TypedDict its frames must match.

    The check is built here, once (not per frame: this is chat's hot path).
    """
    if frame_type not in frame_types(schema):
        raise ValueError(f"{schema.__name__} does not describe frames of type {frame_type!r}.")
    check = frame_check(schema)

    def register(handler: FrameHandler) -> FrameHandler:
        if frame_type in frame_handlers:
            raise ValueError(f"Frame type {frame_type!r} already has a handler.")
        frame_handlers[frame_type] = handler
        frame_schemas[frame_type] = schema
        frame_checks[frame_type] = check
        return handler

    return register


def on_connect(hook: ConnectionHook) -> ConnectionHook:
    connect_hooks.append(hook)
    return hook


def on_disconnect(hook: ConnectionHook) -> ConnectionHook:
    disconnect_hooks.append(hook)
    return hook


def on_heartbeat(hook: ConnectionHook) -> ConnectionHook:
    heartbeat_hooks.append(hook)
    return hook


def connect_loader(name: str) -> Callable[[ConnectLoader], ConnectLoader]:
    """Register what an app needs from the databases when a socket opens (one hop for all apps)."""

    def register(loader: ConnectLoader) -> ConnectLoader:
        if name in connect_loaders:
            raise ValueError(f"Connect loader {name!r} already registered.")
        connect_loaders[name] = loader
        return loader

    return register


def connect_writer(writer: ConnectWriter) -> ConnectWriter:
    """Register Redis writes an app makes when a socket opens (one pipelined trip for all apps)."""
    connect_writers.append(writer)
    return writer


def heartbeat_writer(writer: HeartbeatWriter) -> HeartbeatWriter:
    """Register Redis writes an app makes on every heartbeat (one pipelined trip for all apps).

    Every open tab pings every WEBSOCKET_HEARTBEAT_INTERVAL_S: 5,000 students make 200
    heartbeats a second, as many as a busy chat's messages. Prefer this to `on_heartbeat`.
    """
    heartbeat_writers.append(writer)
    return writer
