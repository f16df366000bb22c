import pprint

import autobahn.twisted.websocket
import autobahn.util
import autobahn.websocket.protocol
import pytest

from apps.realtime.server_tuning import Lazy, defer_autobahn_debug_formatting


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
