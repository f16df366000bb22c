"""The WebSocket gateway and the ASGI server: presence, heartbeats, threads, drain, publishing (apps/realtime)."""

from .environment import env

PRESENCE_TTL_S = env.int("PRESENCE_TTL_S", default=75)
WEBSOCKET_HEARTBEAT_INTERVAL_S = 25
# Python's collector thresholds in the ASGI server (matchminds/asgi.py says why); CPython's are (700, 10, 10).
ASGI_GC_THRESHOLDS = tuple(env.list("ASGI_GC_THRESHOLDS", cast=int, default=[20000, 2, 500]))
# How long a thread of the ASGI server may keep the GIL while another waits for it (matchminds/asgi.py
# says why); CPython's default is 0.005.
ASGI_GIL_SWITCH_INTERVAL_S = env.float("ASGI_GIL_SWITCH_INTERVAL_S", default=0.001)
# Threads per process for the WebSocket paths' ORM and sync Redis calls (connect, resume,
# heartbeats), apart from the single thread-sensitive executor. Few: they share the GIL
# with the event loop, and each connect is one short hop. Measured in a 500/s storm
# (`make bench-chat`, p99 connect): 12 threads 1,224 ms, 6 threads ~1,000 ms, 3 781 ms, 2 546 ms.
WEBSOCKET_SYNC_THREADS = env.int("WEBSOCKET_SYNC_THREADS", default=2)
# Admission control of the WebSocket gateway (apps/realtime/consumers.py). A connect that waited
# longer than WEBSOCKET_CONNECT_MAX_WAIT_S for its session lookup is closed with 4013 ("server
# busy") and its client backs off with jitter, instead of being served after its client (or
# daphne's 30 s handshake timeout) gave up; a storm worked off within it is served whole. The
# connects in progress of one process are also capped, far above any storm's backlog, so a flood
# costs microseconds per socket. Count limits alone refused what the process could serve in time:
# at 500, a 5,000-socket storm at 500/s on a slow 2-core machine (`make bench-chat`) was refused
# 4,486 times and its p99 to hello went from 2.9 s to 13 s; at 64, losing one web host of three
# (`make bench-cluster`) refused most of its 333 students once or twice.
WEBSOCKET_CONNECT_MAX_WAIT_S = env.float("WEBSOCKET_CONNECT_MAX_WAIT_S", default=10.0)
WEBSOCKET_MAX_CONNECTS_IN_PROGRESS = env.int("WEBSOCKET_MAX_CONNECTS_IN_PROGRESS", default=5000)
# Graceful drain of a web process on SIGTERM (apps/realtime/drain.py): its open sockets are told
# to reconnect (close 1012) evenly over the window, so the peers take them a few at a time; then
# in-flight work (chat write batches, HTTP requests) gets up to the finish timeout. The chart's
# terminationGracePeriodSeconds covers preStop + window + finish timeout.
WEBSOCKET_DRAIN_WINDOW_S = env.float("WEBSOCKET_DRAIN_WINDOW_S", default=10.0)
WEBSOCKET_DRAIN_FINISH_TIMEOUT_S = env.float("WEBSOCKET_DRAIN_FINISH_TIMEOUT_S", default=10.0)
# Upper bound on one pipelined publish of frames to Redis (apps/realtime/events.py).
REALTIME_PUBLISH_TIMEOUT_S = 2
# Frames per pipeline when many leave at once (apps/realtime/transport/publisher.py): a round
# start's 5,000 frames leave in ten, the first after a tenth of the serializing.
REALTIME_PUBLISH_CHUNK = 500
