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
    # and TCP's user timeout (settings.REDIS_TCP_OPTIONS) find peers that vanished.
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True, **settings.REDIS_DEAD_PEER_OPTIONS)


def run_script(script: redis.commands.core.Script, *, keys: list, args: list, client=None):
    """Run a registered script directly, or queue it on a pipeline as EVAL with its source.

    redis-py turns a registered script queued on a pipeline into SCRIPT EXISTS before every
    execute: one more round trip on every socket connect. EVAL carries the source instead
    (Redis compiles it once and caches it) and never meets NOSCRIPT after a Redis restart.
    """
    if isinstance(client, redis.client.Pipeline):
        return client.eval(script.script, len(keys), *keys, *args)
    return script(keys=keys, args=args, client=client)
