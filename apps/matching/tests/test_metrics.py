"""Matching records the live metrics the dashboard and the alert rules read (docs/metrics.md)."""

import time

import pytest

from apps.accounts.tests.factories import make_profile
from apps.dashboard import selectors
from apps.matching import queue, services, tasks
from apps.matching.tests.conftest import worker_pairs
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric, counters_key, event_totals_key, minute_of, wait_bucket_index

pytestmark = pytest.mark.django_db

WAIT_FIELDS = ("queue_wait_s:count", "queue_wait_s:sum")


def _join(profile, event, *, waited_s: float) -> None:
    """Join through the service, then backdate the ORIGINAL join by `waited_s` (ticket and bucket)."""
    services.queue_join(user=profile.user, event_id=event.pk)
    joined = queue.join_score(queue.now_ms() - waited_s * 1000)
    client = queue.get_redis()
    client.hset(queue.ticket_key(event.pk, profile.user_id), "js", joined)
    client.zadd(queue.bucket_key(event.pk, profile.gender, profile.seeking), {str(profile.user_id): joined})


def _event_totals(event) -> dict[str, float]:
    """The event's running totals, histogram buckets included (`queue_wait_s:b<i>`)."""
    return {name: float(value) for name, value in queue.get_redis().hgetall(event_totals_key(str(event.pk))).items()}


def _counts(event) -> dict[str, float]:
    totals = _event_totals(event)
    return {name: value for name, value in totals.items() if name != "queue_wait_s:sum"}


def _bucket(seconds: float) -> str:
    return f"queue_wait_s:b{wait_bucket_index(seconds)}"


@pytest.fixture
def dims_registered(pair_of_profiles):
    """What the gateway does at connect: later metric calls only pass the user id."""
    for profile in pair_of_profiles:
        metrics.user_dims_set(
            user_id=profile.user_id, gender=profile.gender, university_id=profile.university_id, region=profile.region
        )
    return pair_of_profiles


def test_a_confirmed_match_counts_one_proposal_one_match_and_both_waits_from_the_original_join(
    live_event, dims_registered, django_capture_on_commit_callbacks
):
    # given a woman who joined 25 s ago and a man who joined 12 s ago
    woman, man = dims_registered
    _join(woman, live_event, waited_s=25)
    _join(man, live_event, waited_s=12)
    # when the worker pairs them and both accept
    with django_capture_on_commit_callbacks(execute=True):
        proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
        services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=True)
        assert services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=True) == "matched"
        # a retried persist (a redelivered task) records nothing twice
        services.match_persist(proposal_id=proposal_id)
    # then one proposal, one confirmed match and the two waits, bucketed by their original joins
    assert _counts(live_event) == {
        Metric.PROPOSALS: 1,
        Metric.CONFIRMED: 1,
        "queue_wait_s:count": 2,
        _bucket(25): 1,
        _bucket(12): 1,
    }
    assert _event_totals(live_event)["queue_wait_s:sum"] == pytest.approx(37, abs=0.5)
    # and the breakdowns: the proposal belongs to the arrival that found the partner (the woman,
    # drained first), the match to the pair's first user (lower id), each wait to its own user.
    minute = queue.get_redis().hgetall(counters_key(minute_of(time.time())))
    event = live_event.pk
    assert minute[f"proposals|{event}|g:F"] == "1" and f"proposals|{event}|g:M" not in minute
    assert minute[f"matches_confirmed|{event}|u:{woman.university_id}"] == "1"
    assert minute[f"queue_wait_s:count|{event}|g:M"] == minute[f"queue_wait_s:count|{event}|g:F"] == "1"
    assert minute[f"queue_wait_s:count|all|r:{man.region}"] == "1"
    # and the dashboard reads them back: 100 % success, a p95 inside the 20–30 s bucket
    assert selectors.window_counts(event_id=event, minutes=15, names=(Metric.PROPOSALS, Metric.CONFIRMED)) == {
        Metric.PROPOSALS: 1,
        Metric.CONFIRMED: 1,
    }
    p50, p95 = selectors.wait_quantiles(event_id=event, minutes=15)
    assert 10 < p50 <= 20 < p95 <= 30


def test_a_decline_counts_the_decline_and_only_the_decliners_wait(
    live_event, dims_registered, django_capture_on_commit_callbacks
):
    woman, man = dims_registered
    _join(woman, live_event, waited_s=25)
    _join(man, live_event, waited_s=4)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
        assert services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=False) == "declined"
    # the woman is back in the queue at her place: her wait has not ended
    assert _counts(live_event) == {Metric.PROPOSALS: 1, Metric.DECLINED: 1, "queue_wait_s:count": 1, _bucket(4): 1}
    minute = queue.get_redis().hgetall(counters_key(minute_of(time.time())))
    assert minute[f"proposals_declined|{live_event.pk}|g:M"] == "1"


def test_a_timeout_counts_once_and_records_the_silent_users_wait(live_event, dims_registered, django_capture_on_commit_callbacks):
    woman, man = dims_registered
    _join(woman, live_event, waited_s=8)
    _join(man, live_event, waited_s=50)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
        services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=True)
        later = queue.now_ms() + (live_event.accept_timeout_s + 2) * 1000
        assert services.proposal_expire(event_id=live_event.pk, proposal_id=proposal_id, at_ms=later) == "timeout"
        # the reaper seeing the same lease again changes nothing
        assert services.proposal_expire(event_id=live_event.pk, proposal_id=proposal_id, at_ms=later) == "gone"
    # the man said nothing: he leaves the queue after his 50 s; the woman who accepted waits on
    assert _counts(live_event) == {Metric.PROPOSALS: 1, Metric.TIMED_OUT: 1, "queue_wait_s:count": 1, _bucket(50): 1}


def test_leaving_the_queue_records_the_wait_and_leaving_during_a_proposal_declines_it(
    live_event, dims_registered, django_capture_on_commit_callbacks
):
    woman, man = dims_registered
    _join(woman, live_event, waited_s=70)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_leave(user_id=woman.user_id, event_id=live_event.pk) == "left"
        assert services.queue_leave(user_id=woman.user_id, event_id=live_event.pk) == "none"
    assert _counts(live_event) == {"queue_wait_s:count": 1, _bucket(70): 1}
    _join(woman, live_event, waited_s=2)
    _join(man, live_event, waited_s=1.5)
    with django_capture_on_commit_callbacks(execute=True):
        worker_pairs(event_id=live_event.pk, user_id=man.user_id)
        assert services.queue_leave(user_id=man.user_id, event_id=live_event.pk) == "left"
    assert _counts(live_event) == {
        Metric.PROPOSALS: 1,
        Metric.DECLINED: 1,
        "queue_wait_s:count": 2,
        _bucket(70): 1,
        _bucket(1.5): 1,
    }


def test_the_sweep_sets_queue_depth_by_gender_from_the_buckets(live_event, pair_of_profiles):
    woman, man = pair_of_profiles
    other_man = make_profile(gender="M", seeking="M")
    for profile in (woman, man, other_man):
        services.queue_join(user=profile.user, event_id=live_event.pk)
    # when the beat's sweep runs (no worker has paired the arrivals yet)
    tasks.sweep_live_queues()
    # then the sweep paired the woman and the man; only the man seeking men is still waiting
    depth = {"queue_depth|g:M": 1.0, "queue_depth|g:F": 0.0}
    assert {k: v for k, v in selectors.gauges(event_id=live_event.pk).items() if k.startswith("queue_depth")} == depth
    assert {k: v for k, v in selectors.gauges(event_id=None).items() if k.startswith("queue_depth")} == depth
    # when the event's queue closes, its depth drops to zero
    services.queue_close(event_id=live_event.pk)
    assert selectors.gauges(event_id=live_event.pk)["queue_depth|g:M"] == 0.0


def test_matching_reconcile_repairs_add_to_the_reconcile_mismatches_gauge(live_event, pair_of_profiles):
    # given the dashboard's own reconciliation found 1 mismatch
    metrics.gauge_part_set(Metric.RECONCILE_MISMATCHES, "metrics", 1)
    woman, man = pair_of_profiles
    services.queue_join(user=woman.user, event_id=live_event.pk)
    services.queue_join(user=man.user, event_id=live_event.pk)
    proposal_id = queue.pair_many(event_id=live_event.pk, user_ids=[man.user_id])[0].proposal_id
    queue.get_redis().delete(queue.proposal_key(proposal_id))
    # when matching's reconciliation requeues both orphaned tickets
    assert services.queues_reconcile() == 2
    # then the alert rule's gauge holds both sources' findings
    gauges = selectors.gauges(event_id=None)
    assert (gauges["reconcile_mismatches|src:matching"], gauges["reconcile_mismatches|all"]) == (2.0, 3.0)
    # and once Redis and PostgreSQL agree again, matching's share returns to zero
    assert services.queues_reconcile() == 0
    assert selectors.gauges(event_id=None)["reconcile_mismatches|all"] == 1.0
