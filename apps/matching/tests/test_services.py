import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Interest, User
from apps.accounts.tests.factories import make_profile, make_user
from apps.core.errors import DomainError
from apps.matching import queue, selectors, services
from apps.matching.models import Match, MatchSeat, TicketEvent
from apps.matching.tests.conftest import make_event, university, worker_pairs
from apps.moderation.blocks import block_create

pytestmark = pytest.mark.django_db


def _join(profile, event) -> dict:
    return services.queue_join(user=profile.user, event_id=event.pk)


def _frames_of(sent, user_id: int, frame_type: str) -> list[dict]:
    return [frame for groups, frame in sent if f"user.{user_id}" in groups and frame["type"] == frame_type]


def test_join_then_worker_pairs_and_both_get_the_partner_card(live_event, pair_of_profiles, sent_frames):
    # given a woman and a man, each seeking the other, in a live event
    woman, man = pair_of_profiles
    # when both join and the worker runs the join's matching step
    with sent_frames():
        status = _join(woman, live_event)
        _join(man, live_event)
        proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
    # then the first joiner waited at position 1 and both got each other's public card
    assert status["state"] == "waiting" and status["position"] == 1
    to_woman = _frames_of(sent_frames, woman.user_id, "match.proposed")
    to_man = _frames_of(sent_frames, man.user_id, "match.proposed")
    assert [f["proposal"] for f in to_woman + to_man] == [proposal_id, proposal_id]
    assert to_woman[0]["partner"]["nickname"] == man.nickname
    assert to_man[0]["partner"]["university"] == "서울대학교"
    assert "email" not in to_man[0]["partner"] and "birth_date" not in to_man[0]["partner"]
    assert to_man[0]["accept_timeout_s"] == 20


def test_a_join_reads_the_profiles_interests_and_university_once_for_its_card_and_ticket(live_event):
    # given a student with two interests, read fresh as a request reads her
    profile = make_profile(gender="M", seeking="F", university=university("부산대학교"), interest_slugs=["music", "travel"])
    user = User.objects.get(pk=profile.user_id)
    interests = list(Interest.objects.filter(slug__in=["music", "travel"]).order_by("pk"))
    # when her ticket's snapshot is built
    with CaptureQueriesContext(connection) as queries:
        snapshot = selectors.ticket_snapshot_build(user=user, event=live_event)
    # then it carries her interests and the card both languages' names and her university
    card = json.loads(snapshot.card_json)
    assert snapshot.interest_ids == tuple(interest.pk for interest in interests)
    assert card["interests"] == [interest.slug for interest in interests]
    assert card["interest_names"] == {"ko": [i.name_ko for i in interests], "en": [i.name_en for i in interests]}
    assert (card["university"], card["university_en"]) == ("부산대학교", university("부산대학교").name_en)
    # and each of those tables was read once (the card and the ticket once read the interests three times)
    tables = [query["sql"].split(" FROM ", 1)[1].split()[0] for query in queries.captured_queries]
    assert tables.count('"accounts_interest"') == 1
    assert tables.count('"accounts_university"') == 1


def test_both_accept_makes_one_active_match_with_a_room_and_repeating_is_refused(live_event, pair_of_profiles, sent_frames):
    woman, man = pair_of_profiles
    _join(woman, live_event)
    _join(man, live_event)
    proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
    with sent_frames():
        assert services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=True) == "accepted"
        assert services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=True) == "matched"
    match = Match.objects.get()
    assert (match.proposal_id, match.status, match.room is not None) == (proposal_id, "active", True)
    assert sorted(MatchSeat.objects.filter(is_active=True).values_list("user_id", flat=True)) == sorted(
        [woman.user_id, man.user_id]
    )
    confirmed = _frames_of(sent_frames, woman.user_id, "match.confirmed")
    assert confirmed[0]["room"] == match.room_id and confirmed[0]["partner"]["user_id"] == man.user_id
    assert queue.ticket_get(event_id=live_event.pk, user_id=woman.user_id) == {}
    # persisting again (a retried worker) changes nothing
    assert services.match_persist(proposal_id=proposal_id) == match
    assert Match.objects.count() == 1
    with pytest.raises(DomainError) as error:
        services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=True)
    assert error.value.code == "proposal_expired"


def test_decline_returns_partner_to_original_place_and_removes_decliner(live_event, pair_of_profiles, sent_frames):
    woman, man = pair_of_profiles
    _join(woman, live_event)
    _join(man, live_event)
    original_score = queue.join_ms(queue.ticket_get(event_id=live_event.pk, user_id=woman.user_id)["js"])
    proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
    with sent_frames():
        assert services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=False) == "declined"
    assert queue.waiting(event_id=live_event.pk) == [(woman.user_id, "F", "M", original_score)]
    assert queue.ticket_get(event_id=live_event.pk, user_id=man.user_id) == {}
    cancelled = {groups[0]: (f["reason"], f["requeued"]) for groups, f in sent_frames if f["type"] == "match.cancelled"}
    assert cancelled == {f"user.{man.user_id}": ("declined", False), f"user.{woman.user_id}": ("partner_declined", True)}
    # the decliner may re-join, but is never proposed the same person again in this event
    _join(man, live_event)
    assert worker_pairs(event_id=live_event.pk, user_id=man.user_id) is None


def test_timeout_requeues_the_one_who_accepted_and_drops_the_silent_one(live_event, pair_of_profiles, sent_frames):
    woman, man = pair_of_profiles
    _join(woman, live_event)
    _join(man, live_event)
    proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
    services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=True)
    later = queue.now_ms() + (live_event.accept_timeout_s + 2) * 1000
    with sent_frames():
        assert services.proposal_expire(event_id=live_event.pk, proposal_id=proposal_id, at_ms=later) == "timeout"
    assert [row[0] for row in queue.waiting(event_id=live_event.pk)] == [woman.user_id]
    reasons = {groups[0]: f["reason"] for groups, f in sent_frames if f["type"] == "match.cancelled"}
    assert reasons == {f"user.{woman.user_id}": "partner_timeout", f"user.{man.user_id}": "timeout"}


def test_unannounced_proposal_returns_both_when_its_lease_expires(live_event, pair_of_profiles):
    # given a worker that paired two users and died before sending the proposal
    woman, man = pair_of_profiles
    _join(woman, live_event)
    _join(man, live_event)
    proposal_id = queue.pair_many(event_id=live_event.pk, user_ids=[man.user_id])[0].proposal_id
    # when the notify lease runs out, both are back in the queue at their original places
    assert services.proposal_expire(event_id=live_event.pk, proposal_id=proposal_id, at_ms=queue.now_ms() + 10_000) == "lease"
    assert [row[0] for row in queue.waiting(event_id=live_event.pk)] == [woman.user_id, man.user_id]


def test_join_refusals_change_nothing(pair_of_profiles):
    now = timezone.now()
    woman, _ = pair_of_profiles
    cases = {
        "event_not_live": make_event(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2)),
        "out_of_scope": make_event(nationwide=False, regions=["jeju"]),
        "verification_required": make_event(require_verified=True),
    }
    for code, event in cases.items():
        with pytest.raises(DomainError) as error:
            _join(woman, event)
        assert error.value.code == code
        assert queue.ticket_user_ids(event_id=event.pk) == set()
    incomplete = make_user()
    live = make_event()
    with pytest.raises(DomainError) as error:
        services.queue_join(user=incomplete, event_id=live.pk)
    assert error.value.code == "profile_incomplete"
    underage = make_profile(birth_date=date(timezone.localdate().year - 18, 1, 1))
    with pytest.raises(DomainError) as error:
        services.queue_join(user=underage.user, event_id=live.pk)
    assert error.value.code == "underage"
    assert queue.ticket_user_ids(event_id=live.pk) == set()


def test_joining_twice_is_refused_and_keeps_the_one_ticket(live_event, pair_of_profiles):
    woman, _ = pair_of_profiles
    _join(woman, live_event)
    score = queue.ticket_get(event_id=live_event.pk, user_id=woman.user_id)["js"]
    with pytest.raises(DomainError) as error:
        _join(woman, live_event)
    assert (error.value.code, error.value.http_status) == ("already_queued", 409)
    assert queue.ticket_get(event_id=live_event.pk, user_id=woman.user_id)["js"] == score
    assert len(queue.waiting(event_id=live_event.pk)) == 1


def test_join_is_rate_limited(live_event, pair_of_profiles, settings):
    settings.MATCHING_JOIN_RATE_LIMIT = 2
    woman, _ = pair_of_profiles
    _join(woman, live_event)
    services.queue_leave(user_id=woman.user_id, event_id=live_event.pk)
    _join(woman, live_event)
    services.queue_leave(user_id=woman.user_id, event_id=live_event.pk)
    with pytest.raises(DomainError) as error:
        _join(woman, live_event)
    assert error.value.code == "rate_limited"


def test_blocked_and_same_university_pairs_are_never_proposed(pair_of_profiles):
    woman, man = pair_of_profiles
    block_create(blocker=man.user, blocked_user_id=woman.user_id)
    event = make_event()
    _join(woman, event)
    _join(man, event)
    assert worker_pairs(event_id=event.pk, user_id=man.user_id) is None
    strict = make_event(allow_same_university=False)
    classmate = make_profile(gender="M", seeking="F", university=university("서울대학교"))
    _join(woman, strict)
    _join(classmate, strict)
    assert worker_pairs(event_id=strict.pk, user_id=classmate.user_id) is None
    assert queue.sweep(event_id=strict.pk) == []


def test_accepting_someone_elses_or_unknown_proposal_is_refused(live_event, pair_of_profiles):
    woman, man = pair_of_profiles
    outsider = make_profile(gender="M", seeking="F")
    _join(woman, live_event)
    _join(man, live_event)
    proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
    for user_id, pid, code in [
        (outsider.user_id, proposal_id, "not_your_proposal"),
        (woman.user_id, 999999, "proposal_not_found"),
    ]:
        with pytest.raises(DomainError) as error:
            services.proposal_respond(user_id=user_id, proposal_id=pid, accept=True)
        assert error.value.code == code
    # the outsider's yes counted for nobody: each of the pair still has to answer
    assert services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=True) == "accepted"
    assert services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=True) == "matched"


def test_sweep_reaps_grace_and_max_wait_and_sends_status(live_event, pair_of_profiles, sent_frames):
    woman, man = pair_of_profiles
    leaver = make_profile(gender="M", seeking="M")
    _join(woman, live_event)
    _join(leaver, live_event)
    services.queue_presence_lost(user_id=leaver.user_id)
    queue.mark_gone(user_id=leaver.user_id, grace_s=-1)
    with sent_frames():
        report = services.queue_sweep(event_id=live_event.pk)
    assert report["disconnected"] == 1
    statuses = _frames_of(sent_frames, woman.user_id, "queue.status")
    assert statuses[0]["position"] == 1 and statuses[0]["waiting"] == {"M": 0, "F": 1}
    live_event.max_wait_s = 30
    live_event.save()
    joined_long_ago = queue.join_score(queue.now_ms() - 31_000)
    queue.get_redis().zadd(queue.bucket_key(live_event.pk, "F", "M"), {str(woman.user_id): joined_long_ago})
    queue.release(f"mq:{live_event.pk}:status-lock")
    with sent_frames():
        assert services.queue_sweep(event_id=live_event.pk)["max_wait"] == 1
    assert _frames_of(sent_frames, woman.user_id, "queue.left")[0]["reason"] == "max_wait"


def test_history_is_flushed_in_bulk_once(live_event, pair_of_profiles):
    woman, man = pair_of_profiles
    _join(woman, live_event)
    _join(man, live_event)
    proposal_id = worker_pairs(event_id=live_event.pk, user_id=man.user_id)
    services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=False)
    assert services.ticket_history_flush() == 6
    assert services.ticket_history_flush() == 0
    kinds = list(TicketEvent.objects.filter(user=woman.user).values_list("kind", flat=True))
    assert kinds == ["joined", "proposed", "declined"]


def test_reconcile_repairs_a_ticket_whose_proposal_vanished(live_event, pair_of_profiles):
    woman, man = pair_of_profiles
    _join(woman, live_event)
    _join(man, live_event)
    proposal_id = queue.pair_many(event_id=live_event.pk, user_ids=[man.user_id])[0].proposal_id
    queue.get_redis().delete(queue.proposal_key(proposal_id))
    report = services.queue_reconcile(event_id=live_event.pk)
    assert report["requeued_orphans"] == 2 and report["stranded_pairs"] == 1
    assert queue.sweep(event_id=live_event.pk) != []
    assert selectors.stranded_pairs(event_id=live_event.pk, allow_same_university=True) == []


def test_a_socket_back_within_the_grace_keeps_the_place(live_event, pair_of_profiles):
    # given a woman waiting whose socket closed, with a grace that has already run out
    woman, _man = pair_of_profiles
    _join(woman, live_event)
    queue.mark_gone(user_id=woman.user_id, grace_s=-1)
    assert queue.gone_expired(event_id=live_event.pk) == [woman.user_id]
    # when a socket of hers connects again before the sweep
    services.queue_presence_back(user_id=woman.user_id)
    # then no grace runs for her any more, and the sweep leaves her waiting
    assert queue.gone_expired(event_id=live_event.pk) == []
    assert services.queue_sweep(event_id=live_event.pk)["disconnected"] == 0
    assert queue.ticket_get(event_id=live_event.pk, user_id=woman.user_id)["st"] == "waiting"


def test_a_join_while_the_drain_lingers_is_paired_by_it_and_asks_for_no_task(
    live_event, pair_of_profiles, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # Given a woman joined (her join asks for a drain task) and drains linger for more arrivals
    from celery import current_app

    from apps.matching.services import pairing

    # (a hedge far longer than this test, so the machine's load cannot make a join look stranded)
    settings.MATCHING_DRAIN_LINGER_MS, settings.MATCHING_DRAIN_HEDGE_MS = 5, 60_000
    woman, man = pair_of_profiles
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args, **options: sent.append((name, *args)))
    with django_capture_on_commit_callbacks(execute=True):
        _join(woman, live_event)
    assert sent == [("apps.matching.tasks.drain_arrivals", live_event.pk)]
    # When the man joins at the critical point: the drain found nobody left and lingers
    lingers = []

    def man_joins_while_lingering(seconds):
        lingers.append(seconds)
        if len(lingers) == 1:
            with django_capture_on_commit_callbacks(execute=True):
                _join(man, live_event)

    monkeypatch.setattr(pairing.time, "sleep", man_joins_while_lingering)
    assert services.arrivals_drain(event_id=live_event.pk) == 1
    # Then his join asked for no task, the running drain paired them, and it let the flag go
    assert sent == [("apps.matching.tasks.drain_arrivals", live_event.pk)]
    assert lingers == [0.005, 0.005]
    assert queue.ticket_get(event_id=live_event.pk, user_id=man.user_id)["st"] == "proposed"
    assert queue.get_redis().exists(f"mq:{live_event.pk}:drain") == 0
