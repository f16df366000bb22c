"""A lean WebSocket client (RFC 6455) for the load generators, which share the machine they load.

The chat bench's clients run on the 2 cores that also run the servers under test. Through the
`websockets` library a client spent ~0.8 ms of CPU per connect and ~0.3 ms per delivery of
the 1:1 ladder: a fifth of the machine in a 500/s connect storm, taken from the servers being
measured (ours and the reference alike). Here a frame costs a header parse and a callback:
no per-message task, queue or protocol state machine. It speaks only what the benches need:
text frames, fragmented or not, answered pings and closes, no extensions.
"""

import asyncio
import base64
import hashlib
import os
import random
import struct
from collections.abc import Callable

_ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_HANDSHAKE_BYTES = 64 * 1024


class HandshakeRejected(Exception):
    """The server answered the upgrade with something other than 101 (e.g. HTTP 403)."""

    def __init__(self, status: int, head: str) -> None:
        super().__init__(f"server rejected WebSocket connection: HTTP {status}")
        self.status, self.head = status, head


class ProtocolError(Exception):
    pass


def _mask(payload: bytes, key: bytes) -> bytes:
    # XOR as one big-integer operation: far cheaper in Python than a loop over bytes.
    size = len(payload)
    if not size:
        return payload
    repeated = (key * (size // 4 + 1))[:size]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(size, "big")


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One final, masked frame (clients must mask; RFC 6455 §5.3)."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    # Masks only need to be unpredictable to script in browsers (proxy-cache poisoning); a
    # load generator on loopback takes the cheap generator instead of a syscall per frame.
    key = random.getrandbits(32).to_bytes(4, "big")
    return header + key + _mask(payload, key)


class LeanWebSocket(asyncio.Protocol):
    def __init__(self, on_message: Callable[[str], None], on_close: Callable[["LeanWebSocket"], None]) -> None:
        self.on_message, self.on_close = on_message, on_close
        self.transport: asyncio.Transport | None = None
        self.open = False
        self.handshake: asyncio.Future = asyncio.get_running_loop().create_future()
        self._expected_accept = b""
        self._buffer = bytearray()
        self._fragments: list[bytes] = []
        # Frames wait until `connect` has handed the socket to its caller: a `hello` read with
        # the handshake must not reach a client that does not hold its socket yet.
        self._delivering = False
        self._lost = False
        self._closed_reported = False
        self.close_code: int | None = None  # the server's close frame's status, if it sent one

    # Handshake ------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def start_handshake(self, host: str, path: str, headers: dict[str, str]) -> None:
        key = base64.b64encode(os.urandom(16))
        self._expected_accept = base64.b64encode(hashlib.sha1(key + _ACCEPT_GUID).digest())
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key.decode()}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    def _finish_handshake(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HANDSHAKE_BYTES:
                self._fail_handshake(ProtocolError("handshake response too large"))
            return False
        head = bytes(self._buffer[:end]).decode("latin-1")
        del self._buffer[: end + 4]
        status_line, *header_lines = head.split("\r\n")
        parts = status_line.split(" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if status != 101:
            self._fail_handshake(HandshakeRejected(status, head))
            return False
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("sec-websocket-accept", "").encode() != self._expected_accept:
            self._fail_handshake(ProtocolError("Sec-WebSocket-Accept does not match the key sent"))
            return False
        self.open = True
        self.handshake.set_result(None)
        return True

    def _fail_handshake(self, error: Exception) -> None:
        if not self.handshake.done():
            self.handshake.set_exception(error)
        self.transport.abort()

    # Frames ---------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self.open and (self.handshake.done() or not self._finish_handshake()):
            return
        if self._delivering:
            self._deliver()

    def start_delivery(self) -> None:
        self._delivering = True
        if self.open:
            self._deliver()
        if self._lost:
            self._report_close()

    def _deliver(self) -> None:
        buffer = self._buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            if second & 0x80:
                self._drop()  # a server must not mask its frames
                return
            size, offset = second & 0x7F, 2
            if size == 126:
                if len(buffer) < 4:
                    return
                (size,), offset = struct.unpack_from("!H", buffer, 2), 4
            elif size == 127:
                if len(buffer) < 10:
                    return
                (size,), offset = struct.unpack_from("!Q", buffer, 2), 10
            if len(buffer) < offset + size:
                return
            payload = bytes(buffer[offset : offset + size])
            del buffer[: offset + size]
            self._frame(first & 0x80, first & 0x0F, payload)
            if not self.open:
                return

    def _frame(self, final: int, opcode: int, payload: bytes) -> None:
        if opcode in (OP_TEXT, OP_BINARY, OP_CONTINUATION):
            self._fragments.append(payload)
            if final:
                message = b"".join(self._fragments)
                self._fragments = []
                self.on_message(message.decode())
        elif opcode == OP_PING:
            self.transport.write(client_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            # Echo the status code and let the server close the TCP connection (RFC 6455 §7.1.1).
            self.transport.write(client_frame(OP_CLOSE, payload[:2]))
            if len(payload) >= 2:
                self.close_code = int.from_bytes(payload[:2], "big")
            self.open = False
        elif opcode != OP_PONG:
            self._drop()  # an opcode RFC 6455 does not define

    def _drop(self) -> None:
        """A peer that breaks the protocol: abort, as a dead socket (on_close reports it)."""
        self.open = False
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        if not self.handshake.done():
            self.open = False
            self.handshake.set_exception(exc or ConnectionError("connection closed during the handshake"))
            return
        if self._delivering:
            self.open = False
            self._report_close()
        # else: the frames already read still go out first, in start_delivery

    def _report_close(self) -> None:
        self.open = False
        if not self._closed_reported:
            self._closed_reported = True
            self.on_close(self)

    # Sending --------------------------------------------------------------------------------

    def send_text(self, text: str) -> bool:
        """Queue one text frame; False when the socket is no longer open (nothing sent)."""
        if not self.open or self._lost:
            return False
        self.transport.write(client_frame(OP_TEXT, text.encode()))
        return True


async def connect(
    host: str,
    port: int,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    on_message: Callable[[str], None],
    on_close: Callable[[LeanWebSocket], None],
    open_timeout: float = 30.0,
) -> LeanWebSocket:
    """Open a socket and complete the upgrade; raise HandshakeRejected, ProtocolError or OSError.

    `on_message` gets each text message; `on_close` is called once when an opened socket ends.
    """
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(open_timeout):
        _transport, socket = await loop.create_connection(lambda: LeanWebSocket(on_message, on_close), host, port)
        socket.start_handshake(f"{host}:{port}", path, headers or {})
        try:
            await socket.handshake
        except BaseException:
            socket.transport.abort()
            raise
    # Frames read along with the handshake are delivered once the caller holds the socket.
    loop.call_soon(socket.start_delivery)
    return socket
