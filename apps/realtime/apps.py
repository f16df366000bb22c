import pprint

from django.apps import AppConfig


def _autobahn_formats_debug_lines_lazily() -> None:
    """autobahn pretty-prints its whole configuration for a DEBUG line on every WebSocket
    handshake, even with debug logging off: ~4 % of a daphne process's CPU in a connect
    storm. Its `pformat` serves only log and debug output, so skip it unless debugging."""
    try:
        import txaio
        from autobahn.websocket import protocol
    except ImportError:  # not running under daphne
        return

    def pformat(obj, *args, **kwargs) -> str:
        try:
            debugging = txaio.get_global_log_level() in ("debug", "trace")
        except RuntimeError:  # txaio has no framework yet: nothing logs
            debugging = False
        return pprint.pformat(obj, *args, **kwargs) if debugging else "(set debug logging to see this)"

    protocol.pformat = pformat


class RealtimeConfig(AppConfig):
    name = "apps.realtime"

    def ready(self) -> None:
        _autobahn_formats_debug_lines_lazily()
