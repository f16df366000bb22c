"""Per-connection and per-frame costs of the WebSocket server stack (daphne → autobahn →
twisted) that buy nothing, and two of its defaults that answer bad input with a dropped
connection. Applied once by `matchminds/asgi.py` in the server process.

autobahn builds the arguments of its DEBUG lines eagerly, whether or not DEBUG is logged:
it pretty-prints its ~30 protocol options on every new connection (~180 µs) and colours
function names and peers with click on every frame received and sent (~5 % of a daphne
process's CPU in the chat ladder; measured on the 2-core bench machine). Its logger formats
arguments only for a line it emits, so lazy arguments keep DEBUG output unchanged.
"""

import pprint

import autobahn.twisted.websocket
import autobahn.util
import autobahn.websocket.protocol
from daphne.http_protocol import WebRequest
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import tcp


class Lazy:
    """`str(function(*args))`, computed only when a log line is actually formatted."""

    __slots__ = ("args", "function")

    def __init__(self, function, *args) -> None:
        self.function, self.args = function, args

    def __str__(self) -> str:
        return str(self.function(*self.args))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _lazy(function):
    def deferred(*args):
        return Lazy(function, *args)

    return deferred


def defer_autobahn_debug_formatting() -> None:
    for module in (autobahn.websocket.protocol, autobahn.twisted.websocket):
        module.hltype = _lazy(autobahn.util.hltype)
        module.hlval = _lazy(autobahn.util.hlval)
    autobahn.websocket.protocol.pformat = _lazy(pprint.pformat)
    # The one non-logging use of that module's `pformat`: __str__ must return a str.
    autobahn.websocket.protocol.Timings.__str__ = lambda timings: pprint.pformat(timings._timings)


_buffered_write = tcp.Connection.write


def _write_through(connection: tcp.Connection, data: bytes) -> None:
    """Send at once what fits in the socket; buffer only the rest, as twisted does with all of it.

    Twisted buffers every write and sends it on the next reactor turn that finds the socket
    writable: each frame registers the socket for writing (an epoll_ctl and an asyncio
    handle), waits for the loop's next turn, is sent, and unregisters it (another epoll_ctl).
    Nearly every chat frame fits in the socket at once. Only when nothing is already
    waiting, so that bytes never overtake earlier ones, and never after startTLS: then the
    bytes must go through the TLS layer, which twisted's own write hands them to.
    """
    if (
        data
        and not connection.TLS
        and connection.connected
        and not connection._writeDisconnected
        and not connection._tempDataBuffer
        and connection.offset == len(connection.dataBuffer)
    ):
        try:
            sent = connection.socket.send(data)
        except OSError:
            sent = 0  # full, or broken: twisted's own path buffers it and notices a broken socket
        if sent == len(data):
            return
        data = data[sent:]
    _buffered_write(connection, data)


def write_tcp_through() -> None:
    tcp.Connection.write = _write_through


def fail_websockets_with_a_close_frame() -> None:
    """A socket autobahn fails gets a close frame with its code and reason, not a dropped TCP.

    autobahn's `failByDrop` defaults to True: a frame over daphne's size limit
    (--websocket-max-message-size / --websocket-max-frame-size, 1 MiB by default), invalid
    UTF-8 or a protocol error cut the connection, and the browser saw 1006 with no reason.
    With it off the peer gets 1009 (too big), 1007 (invalid payload) or 1002 (protocol error)
    and a reason; autobahn's closing handshake timeout still drops a peer that never answers.
    A class attribute is how autobahn lets a protocol override a factory option.
    """
    WebSocketProtocol.failByDrop = False


def _web_request_init_without_form_parsing(request: WebRequest, *args, **kwargs) -> None:
    _web_request_init(request, *args, **kwargs)
    request._parsePOSTFormSubmission = False


_web_request_init = WebRequest.__init__


def leave_request_bodies_to_django() -> None:
    """Twisted parses every POST form or multipart body into `request.args` before daphne sees
    the request, which daphne never reads: it hands the raw body to Django. A multipart body
    twisted cannot parse was answered with its own bare 400 (no body, no JSON envelope) and the
    connection closed; a large upload was parsed twice. Django parses the body, once."""
    WebRequest.__init__ = _web_request_init_without_form_parsing
