"""One Redis client per process, built from REDIS_URL."""

from functools import cache

import redis
from django.conf import settings


@cache
def get_redis() -> redis.Redis:
    # No health_check_interval: with it, redis-py 8 pings inside connect() and, when the
    # socket threads open pool connections concurrently (a connect storm), that ping raced
    # into AttributeError / read timeouts (seen in `make bench-chat`). A dead connection still
    # surfaces as ConnectionError on use, which the client's default Retry handles; keepalive
    # finds peers that vanished.
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True, socket_keepalive=True)
