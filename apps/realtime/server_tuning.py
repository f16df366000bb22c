"""Per-connection costs of the WebSocket server stack (daphne → autobahn) that buy nothing.

Applied once by `matchminds/asgi.py` in the server process.
"""

import pprint

import autobahn.websocket.protocol


class LazyPformat:
    """`pprint.pformat(value)`, computed only when a log line is actually formatted."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def defer_autobahn_debug_formatting() -> None:
    """autobahn pretty-prints its ~30 protocol options for a DEBUG line on every new
    connection, whether or not DEBUG is logged: ~180 µs of a connect's CPU (measured on the
    2-core bench machine), paid 5,000 times in a connect storm. Its logger formats
    arguments only for an emitted line, so a lazy value keeps DEBUG output unchanged."""
    autobahn.websocket.protocol.pformat = LazyPformat
