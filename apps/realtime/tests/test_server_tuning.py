import pprint

import autobahn.websocket.protocol

from apps.realtime.server_tuning import LazyPformat, defer_autobahn_debug_formatting


class CountsRepr:
    calls = 0

    def __repr__(self) -> str:
        CountsRepr.calls += 1
        return "<counted>"


def test_lazy_pformat_formats_nothing_until_a_line_is_rendered():
    value = [("openHandshakeTimeout", 5, "WebSocketServerFactory"), ("obj", CountsRepr(), "x")]
    expected = pprint.pformat(value)
    CountsRepr.calls = 0

    lazy = LazyPformat(value)

    assert CountsRepr.calls == 0
    assert f"\n{lazy}" == "\n" + expected
    assert str(lazy) == expected
    assert CountsRepr.calls == 2


def test_autobahn_uses_the_lazy_formatter_in_the_server_process():
    original = autobahn.websocket.protocol.pformat
    try:
        defer_autobahn_debug_formatting()
        formatted = autobahn.websocket.protocol.pformat({"a": 1})
        assert isinstance(formatted, LazyPformat)
        assert f"{formatted}" == "{'a': 1}"
    finally:
        autobahn.websocket.protocol.pformat = original
