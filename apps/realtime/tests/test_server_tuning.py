import pprint
import socket

import autobahn.twisted.websocket
import autobahn.util
import autobahn.websocket.protocol
import pytest
from twisted.internet import tcp
from twisted.internet.protocol import Protocol

from apps.realtime.transport.server_tuning import Lazy, _write_through, defer_autobahn_debug_formatting


class CountsRepr:
    calls = 0

    def __repr__(self) -> str:
        CountsRepr.calls += 1
        return "<counted>"


def test_lazy_formats_nothing_until_a_line_is_rendered():
    value = [("openHandshakeTimeout", 5, "WebSocketServerFactory"), ("obj", CountsRepr(), "x")]
    expected = pprint.pformat(value)
    CountsRepr.calls = 0

    lazy = Lazy(pprint.pformat, value)

    assert CountsRepr.calls == 0
    assert f"\n{lazy}" == "\n" + expected
    assert str(lazy) == expected
    assert CountsRepr.calls == 2


@pytest.fixture
def tuned_autobahn():
    modules = (autobahn.websocket.protocol, autobahn.twisted.websocket)
    saved = [(module, name, getattr(module, name)) for module in modules for name in ("hltype", "hlval")]
    saved.append((autobahn.websocket.protocol, "pformat", autobahn.websocket.protocol.pformat))
    saved.append((autobahn.websocket.protocol.Timings, "__str__", autobahn.websocket.protocol.Timings.__str__))
    defer_autobahn_debug_formatting()
    yield
    for owner, name, original in saved:
        setattr(owner, name, original)


def test_autobahn_debug_arguments_render_as_before(tuned_autobahn):
    protocol = autobahn.websocket.protocol
    assert isinstance(protocol.pformat({"a": 1}), Lazy)
    assert f"{protocol.pformat({'a': 1})}" == "{'a': 1}"
    for module in (protocol, autobahn.twisted.websocket):
        assert f"{module.hlval(42)}" == autobahn.util.hlval(42)
        assert f"{module.hltype(test_lazy_formats_nothing_until_a_line_is_rendered)}" == autobahn.util.hltype(
            test_lazy_formats_nothing_until_a_line_is_rendered
        )


def test_timings_still_print_as_text(tuned_autobahn):
    timings = autobahn.websocket.protocol.Timings()
    timings.track("onOpen")

    assert str(timings).startswith("{'onOpen':")


class WriterRegistry:
    """The part of a reactor a connection asks to watch its socket for writability."""

    def __init__(self) -> None:
        self.writers: set = set()

    def addWriter(self, writer) -> None:  # noqa: N802 - twisted's reactor interface
        self.writers.add(writer)

    def removeWriter(self, writer) -> None:  # noqa: N802
        self.writers.discard(writer)


@pytest.fixture
def connection_and_peer():
    ours, peer = socket.socketpair()
    ours.setblocking(False)
    peer.setblocking(False)
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reactor = WriterRegistry()
    connection = tcp.Connection(ours, Protocol(), reactor)
    connection.connected = True
    yield connection, peer, reactor
    ours.close()
    peer.close()


def drain(peer: socket.socket) -> bytes:
    received = b""
    while True:
        try:
            chunk = peer.recv(65536)
        except BlockingIOError:
            return received
        if not chunk:
            return received
        received += chunk


def test_a_frame_that_fits_leaves_at_once_without_watching_the_socket(connection_and_peer):
    connection, peer, reactor = connection_and_peer
    _write_through(connection, b"frame one")
    assert drain(peer) == b"frame one"
    assert reactor.writers == set()
    assert connection._tempDataBuffer == []


def test_what_does_not_fit_is_buffered_and_later_writes_queue_behind_it(connection_and_peer):
    connection, peer, reactor = connection_and_peer
    big = bytes(range(256)) * 4096  # 1 MiB: far more than the socket takes at once
    _write_through(connection, big)
    _write_through(connection, b"after")  # must not overtake the buffered rest of `big`
    assert reactor.writers == {connection}
    received = drain(peer)
    assert 0 < len(received) < len(big)
    for _ in range(10_000):
        if not reactor.writers:
            break
        connection.doWrite()
        received += drain(peer)
    assert received == big + b"after"
    assert reactor.writers == set()


def test_a_broken_socket_is_left_to_twisteds_own_path(connection_and_peer):
    connection, peer, reactor = connection_and_peer
    peer.close()
    _write_through(connection, b"lost")
    # Buffered and watched: the reactor's next turn finds the socket broken and closes it.
    assert reactor.writers == {connection}
    assert connection.doWrite() is not None


class RecordsTlsWrites(Protocol):
    """Stands where startTLS puts its TLS layer: it receives the plaintext to encrypt."""

    def __init__(self) -> None:
        self.plaintext: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.plaintext.append(data)


def test_after_starttls_bytes_go_through_the_tls_layer_never_raw_to_the_socket(connection_and_peer):
    connection, peer, reactor = connection_and_peer
    connection.protocol = tls_layer = RecordsTlsWrites()
    connection.TLS = True
    _write_through(connection, b"secret")
    assert tls_layer.plaintext == [b"secret"]
    assert drain(peer) == b""
