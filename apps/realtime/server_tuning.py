"""Per-connection and per-frame costs of the WebSocket server stack (daphne → autobahn)
that buy nothing. Applied once by `matchminds/asgi.py` in the server process.

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
