"""Sliding-window rate limits in Redis, shared by every edge that needs one.

A limit is checked and recorded in one atomic Lua call, so concurrent requests from many
processes cannot slip past it.
"""

import functools
import time
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _

from apps.core.durations import duration_text
from apps.core.errors import DomainError, ErrorCode
from apps.core.redis import get_redis, run_script

# KEYS[1] the window's sorted set; ARGV: now_ms, window_ms, limit, member.
# Returns 0 when admitted, else the milliseconds until the oldest hit leaves the window.
_SLIDING_WINDOW = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 0
"""


@dataclass(frozen=True)
class RateLimit:
    name: str
    limit: int
    window_s: int


@functools.cache
def _script():
    return get_redis().register_script(_SLIDING_WINDOW)


def _call(*, rule: RateLimit, subject: str, now_ms: int, client=None):
    return run_script(
        _script(),
        keys=[f"ratelimit:{rule.name}:{subject}"],
        args=[now_ms, rule.window_s * 1000, rule.limit, f"{now_ms}:{uuid.uuid4().hex[:8]}"],
        client=client,
    )


def _refusal(wait_ms) -> DomainError | None:
    if not wait_ms:
        return None
    retry_after_s = max(1, -(-int(wait_ms) // 1000))
    return DomainError(
        ErrorCode.RATE_LIMITED,
        _("Too many requests. Try again in %(wait)s.") % {"wait": duration_text(retry_after_s)},
        http_status=429,
        retry_after_s=retry_after_s,
    )


def rate_limit_hit(*, rule: RateLimit, subject: str) -> None:
    """Count one action of `subject` against `rule`; raise DomainError when over the limit."""
    refusal = _refusal(_call(rule=rule, subject=subject, now_ms=int(time.time() * 1000)))
    if refusal is not None:
        raise refusal


def rate_limit_hit_many(*, rule: RateLimit, subjects: list[str]) -> list[DomainError | None]:
    """Count one action per subject (repeats allowed) in ONE round trip; each gets None or its refusal.

    For batched hot paths: the same atomic script per hit, pipelined.
    """
    if not subjects:
        return []
    pipe, now_ms = get_redis().pipeline(transaction=False), int(time.time() * 1000)
    for subject in subjects:
        _call(rule=rule, subject=subject, now_ms=now_ms, client=pipe)
    return [_refusal(wait_ms) for wait_ms in pipe.execute()]
