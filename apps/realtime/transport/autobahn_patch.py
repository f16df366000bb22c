"""The autobahn patch applied in every process that loads the apps (RealtimeConfig.ready).

Imports autobahn only when called, and only if it is installed: Celery workers and
management commands load the apps too.
"""

import pprint


def format_autobahn_debug_lines_only_when_debugging() -> None:
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
