import pytest

from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit, rate_limit_hit_many
from apps.core.redis import get_redis

RULE = RateLimit(name="test", limit=3, window_s=60)


def test_admits_up_to_the_limit_then_refuses_with_retry_after():
    for _ in range(3):
        rate_limit_hit(rule=RULE, subject="user:1")
    with pytest.raises(DomainError) as error:
        rate_limit_hit(rule=RULE, subject="user:1")
    assert error.value.code == "rate_limited"
    assert error.value.http_status == 429
    assert 1 <= error.value.retry_after_s <= 60


def test_subjects_are_counted_separately():
    for _ in range(3):
        rate_limit_hit(rule=RULE, subject="user:1")
    rate_limit_hit(rule=RULE, subject="user:2")


def test_window_slides(monkeypatch):
    import apps.core.ratelimit as ratelimit

    clock = [1_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    for _ in range(3):
        rate_limit_hit(rule=RULE, subject="user:3")
    clock[0] += 61
    rate_limit_hit(rule=RULE, subject="user:3")


def redis_command_calls(command: str) -> int:
    return int(get_redis().info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0))


def test_many_hits_share_one_round_trip_and_each_gets_its_own_answer():
    script_checks_before = redis_command_calls("script|exists")

    outcomes = rate_limit_hit_many(rule=RULE, subjects=["user:4"] * 4 + ["user:5"])

    assert [outcome is None for outcome in outcomes] == [True, True, True, False, True]
    assert outcomes[3].code == "rate_limited"
    # A script queued on a pipeline must not cost a SCRIPT EXISTS round trip before it.
    assert redis_command_calls("script|exists") == script_checks_before
