"""Per-process Prometheus metrics of the WebSocket gateway.

`matchminds_websocket_connections` is the number of WebSockets this pod holds open; the
production web HorizontalPodAutoscaler scales on its per-pod average (through
prometheus-adapter), so it is deliberately *not* a Redis-backed business metric like
those in apps/dashboard: every pod must report its own value.

With PROMETHEUS_MULTIPROC_DIR set, every daphne process of a pod writes its value to
that pod's directory and /metrics (apps.dashboard.prometheus) sums the live processes
("livesum"), giving one unlabelled series per pod. The directory must be emptied when the
pod's processes start (docker/web.sh does), or a crashed process's count would linger.
"""

from prometheus_client import Gauge

WEBSOCKET_CONNECTIONS = Gauge(
    "matchminds_websocket_connections",
    "WebSocket connections accepted and still open in this pod.",
    multiprocess_mode="livesum",
)
