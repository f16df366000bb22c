import gc
import os
import sys

import django
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.local")
django.setup(set_prefix=False)
# Before the handler loads its middleware: the Django instrumentation adds its own.
from apps.core.observability import tracing  # noqa: E402

tracing.configure(component="web")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from apps.realtime.origin import SiteOriginValidator  # noqa: E402
from apps.realtime.routing import websocket_urlpatterns  # noqa: E402
from apps.realtime.transport.server_tuning import (  # noqa: E402
    defer_autobahn_debug_formatting,
    fail_websockets_with_a_close_frame,
    leave_request_bodies_to_django,
    write_tcp_through,
)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SiteOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)

defer_autobahn_debug_formatting()
write_tcp_through()
fail_websockets_with_a_close_frame()
leave_request_bodies_to_django()
if "daphne.server" in sys.modules:
    # Under daphne (not under a test's communicator): SIGTERM drains instead of dropping every socket.
    from apps.realtime.drain import install as install_graceful_drain  # noqa: E402

    install_graceful_drain()

# Everything imported so far lives as long as the process: keep it out of the collector's
# full passes, and collect the young generation less often. A server holding thousands of
# sockets otherwise pauses for tens of milliseconds whenever a full pass walks them all.
# The middle generation is collected after every second young pass, so that what a storm's
# new sockets leave alive is walked in small slices: collected after every twentieth, it
# held the whole storm and paused each daphne for 260 ms in the middle of a 500/s storm.
# Full passes stay as rare as before (threshold0 x threshold1 x threshold2 allocations).
gc.freeze()
gc.set_threshold(*settings.ASGI_GC_THRESHOLDS)

# The chat's writer thread and the socket threads return from every PostgreSQL and Redis
# round trip needing the GIL back from a busy event loop. With CPython's 5 ms switch
# interval each such return could wait up to 5 ms: in the chat ladder at 1,000-1,250
# deliveries/s a write batch took p50 13-27 ms, against 11-20 ms at 1 ms, and the p50
# delivery latency fell from 26-56 ms to 20-47 ms (two runs each, alternated).
sys.setswitchinterval(settings.ASGI_GIL_SWITCH_INTERVAL_S)
