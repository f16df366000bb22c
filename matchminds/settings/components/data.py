"""PostgreSQL, Redis, the channel layer over Redis, the cache and sessions."""

import socket

from .environment import env

# A backing service's peer that vanished (a host killed, a link cut, a failover that moved the
# endpoint) is found within seconds on every connection to it, not after TCP's defaults: with
# keepalive after 2 h of silence, and for a request already sent after 15 min of retransmissions,
# whose backoff also kept a host whose link came back waiting up to its next retry (`make
# bench-cluster`, cut_web2). Kernel-level: a busy Redis or PostgreSQL still acknowledges at once.
BACKING_SERVICE_KEEPALIVE_IDLE_S, BACKING_SERVICE_KEEPALIVE_INTERVAL_S, BACKING_SERVICE_KEEPALIVE_PROBES = 5, 2, 3
BACKING_SERVICE_UNACKED_TIMEOUT_MS = 10_000
BACKING_SERVICE_CONNECT_TIMEOUT_S = 5
REDIS_TCP_OPTIONS = {
    socket.TCP_KEEPIDLE: BACKING_SERVICE_KEEPALIVE_IDLE_S,
    socket.TCP_KEEPINTVL: BACKING_SERVICE_KEEPALIVE_INTERVAL_S,
    socket.TCP_KEEPCNT: BACKING_SERVICE_KEEPALIVE_PROBES,
    socket.TCP_USER_TIMEOUT: BACKING_SERVICE_UNACKED_TIMEOUT_MS,
}
# What every Redis connection pool of the app is built with (the app's client, the cache, the channel layer).
REDIS_DEAD_PEER_OPTIONS = {
    "socket_connect_timeout": BACKING_SERVICE_CONNECT_TIMEOUT_S,
    "socket_keepalive": True,
    "socket_keepalive_options": REDIS_TCP_OPTIONS,
}

# PostgreSQL everywhere (`make run`, tests, production): the chat's and the socket connect's
# hot paths are PostgreSQL statements (arrays, row locks, prepared generic plans).
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/matchminds_dev")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False


def postgres_database(database: dict) -> dict:
    """Settings every PostgreSQL connection of the app gets (base, test, production)."""
    # Query counts and latencies for Prometheus: the same PostgreSQL backend, instrumented.
    database["ENGINE"] = "django_prometheus.db.backends.postgresql"
    options = database.setdefault("OPTIONS", {})
    # Prepared statements for the hot paths (apps.core.db.PreparedCursor). Django leaves
    # psycopg's prepare_threshold at None, which turns every prepare off, even an explicit
    # one. Django's own cursors bind client-side and are never prepared, whatever this says.
    options.setdefault("prepare_threshold", 5)
    # ...and they keep one generic plan. On `auto`, PostgreSQL re-planned the chat batch's
    # statements on every execution (with array parameters a custom plan always looks
    # cheaper): 0.59 instead of 0.17 ms of backend CPU each.
    options["options"] = f"{options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
    # libpq's names for the same dead-peer detection as Redis's (REDIS_TCP_OPTIONS).
    options.setdefault("connect_timeout", BACKING_SERVICE_CONNECT_TIMEOUT_S)
    options.setdefault("keepalives", 1)
    options.setdefault("keepalives_idle", BACKING_SERVICE_KEEPALIVE_IDLE_S)
    options.setdefault("keepalives_interval", BACKING_SERVICE_KEEPALIVE_INTERVAL_S)
    options.setdefault("keepalives_count", BACKING_SERVICE_KEEPALIVE_PROBES)
    options.setdefault("tcp_user_timeout", BACKING_SERVICE_UNACKED_TIMEOUT_MS)
    return database


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    postgres_database(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Channel layer tuned for connect bursts: the default pool of 100 connections raises under
# bursts of thousands of connects.
CHANNEL_LAYER_MAX_CONNECTIONS = env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=2000)
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "apps.realtime.transport.channel_layer.CoalescingPubSubChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": REDIS_URL,
                    # No socket timeout. With one, redis-py writes every command through
                    # asyncio.wait_for: a new task and a turn of the event loop, taken while
                    # the layer holds the one lock that every SUBSCRIBE / UNSUBSCRIBE of the
                    # process needs. The pub/sub reads carry their own 0.1 s timeout; frames
                    # are published with a bounded wait (apps.realtime.events); keepalive
                    # finds peers that vanished.
                    "socket_timeout": None,
                    **REDIS_DEAD_PEER_OPTIONS,
                    "health_check_interval": 30,
                    "max_connections": CHANNEL_LAYER_MAX_CONNECTIONS,
                    # No command of its own on (re)connect: when Redis restarts, the pubsub
                    # connection reconnects while its receive task reads, and a reply read
                    # during the reconnect races that reader ("readuntil() called while another
                    # coroutine is already waiting", or a writer gone mid-handshake) and breaks
                    # the subscription. So no CLIENT SETINFO, and RESP2: RESP3 adds HELLO and
                    # redis-py 8's CLIENT MAINT_NOTIFICATIONS handshake (seen breaking a
                    # reconnect in `make bench-chat ARGS=--faults`).
                    "driver_info": None,
                    "protocol": 2,
                }
            ],
            "prefix": env("CHANNEL_LAYER_PREFIX", default="mm"),
        },
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "mmcache",
        "OPTIONS": dict(REDIS_DEAD_PEER_OPTIONS),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
