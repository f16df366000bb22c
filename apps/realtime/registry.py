"""Where feature apps plug into the single `/ws/` gateway.

Apps register frame handlers and connect/disconnect hooks from their `consumers.py`,
imported by their AppConfig.ready(). A handler receives the gateway consumer and the
validated envelope and calls a service; it raises DomainError for the gateway to turn
into an `error` frame.
"""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apps.realtime.consumers import GatewayConsumer

FrameHandler = Callable[["GatewayConsumer", dict[str, Any]], Awaitable[None]]
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
connect_hooks: list[ConnectionHook] = []
disconnect_hooks: list[ConnectionHook] = []
heartbeat_hooks: list[ConnectionHook] = []
connect_loaders: dict[str, ConnectLoader] = {}
connect_writers: list[ConnectWriter] = []
heartbeat_writers: list[HeartbeatWriter] = []


def frame_handler(frame_type: str) -> Callable[[FrameHandler], FrameHandler]:
    def register(handler: FrameHandler) -> FrameHandler:
        if frame_type in frame_handlers:
            raise ValueError(f"Frame type {frame_type!r} already has a handler.")
        frame_handlers[frame_type] = handler
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
