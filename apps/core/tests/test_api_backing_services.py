"""The JSON API while Redis has no writable primary (a failover, Sentinels without a quorum)."""

import pytest
from django.test import Client

from apps.accounts.tests.factories import make_profile
from apps.core.redis import get_redis
from apps.events.tests.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_without_primary(settings):
    """The app's Redis endpoint answers nothing (no primary behind it)."""
    settings.REDIS_URL = "redis://127.0.0.1:1/14"
    get_redis.cache_clear()
    yield
    get_redis.cache_clear()


@pytest.fixture
def student():
    # Made while Redis still answers: signing up warms the consent cache.
    return make_profile().user


def test_a_write_is_refused_with_service_unavailable_and_a_retry_and_reads_still_answer(student, redis_without_primary):
    # Given a signed-in student and a live event, while Redis has no primary
    event = make_event()
    client = Client()
    client.force_login(student)
    # When she joins the queue (a Redis write)
    joined = client.post(f"/api/v1/events/{event.pk}/queue/")
    # Then she is told to retry, never a 500
    assert joined.status_code == 503
    assert joined["Retry-After"] == "2"
    message = "서비스가 잠시 불안정해요. 곧 다시 시도해 주세요."
    assert joined.json() == {"error": {"code": "service_unavailable", "message": message, "retry_after_s": 2}}
    # And reads from PostgreSQL still answer
    matches = client.get("/api/v1/matches/")
    assert (matches.status_code, matches.json()) == (200, [])
