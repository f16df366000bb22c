"""The tutorial-style reference app for `make bench-chat` phase (e): no DB, no auth, no persistence."""

import os

SECRET_KEY = "reference-bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["daphne", "channels"]
ASGI_APPLICATION = "bench.reference.asgi.application"
DATABASES: dict = {}
USE_TZ = True
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": 60, "max_connections": 2000}],
            "prefix": "ref",
        },
    }
}
