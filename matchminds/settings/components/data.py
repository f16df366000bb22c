"""PostgreSQL, Redis, the channel layer over Redis, the cache and sessions."""

from .environment import env

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
                    "socket_connect_timeout": 5,
                    "socket_keepalive": True,
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
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
