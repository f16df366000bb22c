"""Graceful drain of a daphne process on SIGTERM (a rolling deploy, a scale-in).

daphne's own SIGTERM stops the reactor at once: every socket of the pod drops in the same
instant, every client reconnects in the same second to whichever peers are left, and a
consumer awaiting its chat write batch is cancelled mid-write. Instead, on SIGTERM:

1. stop accepting: the listening sockets close, so the load balancer's health check fails and
   new connections go to the peers (HAProxy retries a refused connection elsewhere);
2. tell open sockets to reconnect with close code 1012 (Service Restart), spread evenly over
   WEBSOCKET_DRAIN_WINDOW_S so that the peers take them a few at a time;
3. wait for in-flight work: every application instance (a consumer awaiting its chat write
   batch, an HTTP request) finishes, at most WEBSOCKET_DRAIN_FINISH_TIMEOUT_S after the last close;
4. stop the reactor, which exits the process.

A second SIGTERM during the drain closes the remaining sockets at once and goes on with step 3
(in-flight writes still finish); SIGINT stops at once, as before (Ctrl-C in `make run`).

Installed by `matchminds/asgi.py` only when the module runs under daphne's Twisted reactor.
"""

import asyncio
import logging
import signal
import time

from django.conf import settings

logger = logging.getLogger(__name__)

# RFC 6455 1012 "Service Restart": the client should reconnect (our client does, with jitter).
CLOSE_SERVICE_RESTART = 1012
CLOSE_REASON = b"service restart"
TICK_S = 0.05


class Drain:
    """The drain of one daphne `Server`; `begin()` is idempotent, a repeat hurries it."""

    def __init__(self, server, reactor) -> None:
        self.server = server
        self.reactor = reactor
        self.ports: list = []
        self.signals = 0
        self.started_at: float | None = None
        self.window_end: float | None = None
        self.closed = 0
        self.last_close_at: float | None = None
        self.last_tick_at: float | None = None
        self.credit = 0.0

    def install_signal_handlers(self) -> None:
        loop = asyncio.get_event_loop()
        loop.add_signal_handler(signal.SIGTERM, self.begin)
        loop.add_signal_handler(signal.SIGINT, self.server.stop)

    def begin(self) -> None:
        self.signals += 1
        now = time.monotonic()
        if self.signals > 1:
            logger.warning("drain: SIGTERM again: closing the %d remaining sockets now", len(self.open_sockets()))
            self.window_end = now
            return
        self.started_at = now
        self.window_end = now + settings.WEBSOCKET_DRAIN_WINDOW_S
        for port in self.ports:
            port.stopListening()
        logger.warning(
            "drain: SIGTERM: stopped accepting; closing %d sockets over %.1f s",
            len(self.open_sockets()),
            settings.WEBSOCKET_DRAIN_WINDOW_S,
        )
        self.reactor.callLater(0, self.tick)

    def open_sockets(self) -> list:
        from autobahn.websocket.protocol import WebSocketProtocol

        return [
            protocol
            for protocol in list(self.server.connections)
            if isinstance(protocol, WebSocketProtocol) and protocol.state == WebSocketProtocol.STATE_OPEN
        ]

    def busy(self) -> int:
        """Application instances still running: consumers finishing a write, HTTP requests."""
        return sum(
            1
            for details in self.server.connections.values()
            if details.get("application_instance") is not None and not details["application_instance"].done()
        )

    def tick(self) -> None:
        now = time.monotonic()
        sockets = self.open_sockets()
        if sockets:
            # Each tick closes the share of the open sockets that the tick is of the time left
            # (fractions carried over): a steady rate to the window's end, late sockets included.
            elapsed, self.last_tick_at = now - (self.last_tick_at or now), now
            remaining = self.window_end - now
            self.credit += len(sockets) * (1.0 if remaining <= 0 else elapsed / (remaining + elapsed))
            count = min(len(sockets), int(self.credit))
            self.credit -= count
            for protocol in sockets[:count]:
                protocol.sendCloseFrame(code=CLOSE_SERVICE_RESTART, reasonUtf8=CLOSE_REASON, isReply=False)
            self.closed += count
            if count:
                self.last_close_at = now
            self.reactor.callLater(TICK_S, self.tick)
            return
        waited = now - (self.last_close_at or self.started_at)
        if self.busy() and waited < settings.WEBSOCKET_DRAIN_FINISH_TIMEOUT_S:
            self.reactor.callLater(TICK_S, self.tick)
            return
        logger.warning(
            "drain: done in %.1f s: %d sockets told to reconnect, %d instances still running",
            now - self.started_at,
            self.closed,
            self.busy(),
        )
        self.server.stop()


def install() -> None:
    """Make daphne's `Server` drain on SIGTERM instead of stopping at once."""
    from daphne.server import Server
    from twisted.internet import reactor

    if getattr(Server, "_drain_installed", False):
        return
    original_run, original_listen_success = Server.run, Server.listen_success

    def run(server) -> None:
        server.drain = Drain(server, reactor)
        # Twisted's handlers would stop the reactor on SIGTERM: ours replace them.
        server.signal_handlers = False
        reactor.callWhenRunning(server.drain.install_signal_handlers)
        original_run(server)

    def listen_success(server, port) -> None:
        server.drain.ports.append(port)
        original_listen_success(server, port)

    Server.run, Server.listen_success = run, listen_success
    Server._drain_installed = True
