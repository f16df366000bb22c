"""Losing Redis (issue 23): ids never repeat, and waiting students are restored at their place or told.

Redis "loses its data" here the way a restart without persistence or a FLUSHALL does it, on
this test run's own Redis database only (REDIS_URL's; never another database or server).
"""

import pytest

from apps.accounts.tests.factories import make_profile
from apps.alerts import services as alert_services
from apps.alerts.models import Alert, AlertState
from apps.core.redis import get_redis
from apps.matching import queue, selectors, services, tasks
from apps.matching.models import Match, QueueEpoch, QueueTicket, TicketEvent
from apps.matching.queue.base import EPOCH_KEY
from apps.matching.tests.conftest import university, worker_pairs

pytestmark = pytest.mark.django_db


def _join(profile, event) -> dict:
    return services.queue_join(user=profile.user, event_id=event.pk)


def _frames_of(sent, user_id: int, frame_type: str) -> list[dict]:
    return [frame for groups, frame in sent if f"user.{user_id}" in groups and frame["type"] == frame_type]


def _pair(woman_university: str, man_university: str):
    woman = make_profile(gender="F", seeking="M", university=university(woman_university))
    man = make_profile(gender="M", seeking="F", university=university(man_university))
    return woman, man


def _proposed(event, woman, man) -> int:
    _join(woman, event)
    _join(man, event)
    return worker_pairs(event_id=event.pk, user_id=man.user_id)


def _matched(event, woman, man) -> Match:
    proposal_id = _proposed(event, woman, man)
    services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=True)
    assert services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=True) == "matched"
    return Match.objects.get(proposal_id=proposal_id)


def _redis_loses_everything() -> None:
    get_redis().flushdb()


def test_a_pair_matched_after_redis_lost_its_data_gets_its_own_match_and_room(live_event, sent_frames):
    # given an earlier pair already matched: their Match and room are in PostgreSQL
    earlier = _matched(live_event, *_pair("서울대학교", "부산대학교"))
    # when Redis loses everything and a new pair joins, is paired and both say yes
    _redis_loses_everything()
    woman, man = _pair("연세대학교", "고려대학교")
    with sent_frames():
        proposal_id = _proposed(live_event, woman, man)
        services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=True)
        assert services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=True) == "matched"
    # then the new pair has a Match and a room of their own, and only those are confirmed to them
    theirs = Match.objects.get(user_a_id=min(woman.user_id, man.user_id), user_b_id=max(woman.user_id, man.user_id))
    assert theirs.pk != earlier.pk and theirs.room_id != earlier.room_id
    assert theirs.proposal_id > earlier.proposal_id
    for user_id in (woman.user_id, man.user_id):
        confirmed = _frames_of(sent_frames, user_id, "match.confirmed")
        assert [(frame["match"], frame["room"]) for frame in confirmed] == [(theirs.pk, theirs.room_id)]


def test_a_proposal_id_issued_twice_never_confirms_the_other_pairs_match(live_event, sent_frames):
    # given an earlier match, and a Redis gone back in time (a lagging replica): its proposal
    # counter is behind the id of that match
    earlier = _matched(live_event, *_pair("서울대학교", "부산대학교"))
    get_redis().set("mq:pseq", earlier.proposal_id - 1)
    woman, man = _pair("연세대학교", "고려대학교")
    proposal_id = _proposed(live_event, woman, man)
    assert proposal_id == earlier.proposal_id
    # when both say yes to the proposal that reuses the id
    with sent_frames():
        services.proposal_respond(user_id=woman.user_id, proposal_id=proposal_id, accept=True)
        outcome = services.proposal_respond(user_id=man.user_id, proposal_id=proposal_id, accept=True)
    # then nobody is confirmed into the earlier pair's match: both are told and keep their places
    assert outcome == "cancelled"
    assert list(Match.objects.values_list("pk", flat=True)) == [earlier.pk]
    for user_id in (woman.user_id, man.user_id):
        assert _frames_of(sent_frames, user_id, "match.confirmed") == []
        cancelled = _frames_of(sent_frames, user_id, "match.cancelled")
        assert [(frame["reason"], frame["requeued"]) for frame in cancelled] == [("lease_expired", True)]
    # and the engine starts a new epoch at the next sweep: the pair is proposed again under a fresh id and matched
    assert services.queue_state_problem() == "lost"
    tasks.sweep_live_queues()
    fresh = int(queue.ticket_get(event_id=live_event.pk, user_id=man.user_id)["p"])
    assert fresh > earlier.proposal_id
    services.proposal_respond(user_id=woman.user_id, proposal_id=fresh, accept=True)
    assert services.proposal_respond(user_id=man.user_id, proposal_id=fresh, accept=True) == "matched"
    assert Match.objects.get(proposal_id=fresh).user_a_id == min(woman.user_id, man.user_id)


def test_history_written_after_a_loss_is_kept_in_full(live_event, pair_of_profiles):
    # given a woman whose join is already in PostgreSQL's history
    woman, man = pair_of_profiles
    _join(woman, live_event)
    services.ticket_history_flush()
    kept = TicketEvent.objects.get()
    # when Redis loses everything, then a man joins
    _redis_loses_everything()
    _join(man, live_event)
    services.ticket_history_flush()
    # then every new entry reaches PostgreSQL, numbered after the old ones
    rows = list(TicketEvent.objects.exclude(pk=kept.pk).values_list("user_id", "kind", "detail"))
    assert rows == [(woman.user_id, "requeued", "restored"), (man.user_id, "joined", "")]
    assert TicketEvent.objects.exclude(pk=kept.pk).order_by("seq").first().seq > kept.seq


def test_beat_notices_the_loss_and_restores_everyone_at_their_original_place(live_event, sent_frames):
    # given three men waiting (no woman, so nobody is paired)
    men = [make_profile(gender="M", seeking="F", university=university("부산대학교")) for _ in range(3)]
    for man in men:
        _join(man, live_event)
    before = {user_id: score for user_id, _g, _s, score in queue.waiting(event_id=live_event.pk)}
    # when Redis loses everything and beat's next sweep runs
    _redis_loses_everything()
    with sent_frames():
        tasks.sweep_live_queues()
    # then each is back with their original join time, and told their place
    assert {user_id: score for user_id, _g, _s, score in queue.waiting(event_id=live_event.pk)} == before
    positions = [_frames_of(sent_frames, man.user_id, "queue.status")[-1]["position"] for man in men]
    assert positions == [1, 2, 3]
    epoch = QueueEpoch.objects.get(cause="lost")
    assert (epoch.restored, epoch.told) == (3, 0)
    # and the "queue state lost" alert fires with how many tickets were restored
    alert_services.alerts_evaluate()
    alert = Alert.objects.get(rule__name="queue-state-lost")
    assert (alert.state, alert.value, alert.labels["told"], alert.labels["cause"]) == (AlertState.FIRING, 3.0, "0", "lost")


def test_students_the_restore_cannot_put_back_are_told_and_offered_a_retry(live_event, sent_frames):
    # given two men waiting, one of whose copies an older release wrote in a shape this one cannot read
    kept, unreadable = (make_profile(gender="M", seeking="F", university=university("부산대학교")) for _ in range(2))
    _join(kept, live_event)
    _join(unreadable, live_event)
    QueueTicket.objects.filter(user_id=unreadable.user_id).update(snapshot={"event_id": live_event.pk})
    # when Redis loses everything and beat's next sweep runs
    _redis_loses_everything()
    with sent_frames():
        tasks.sweep_live_queues()
    # then the one is restored and the other told, with nothing left that claims they wait
    assert [row[0] for row in queue.waiting(event_id=live_event.pk)] == [kept.user_id]
    left = _frames_of(sent_frames, unreadable.user_id, "queue.left")
    assert [frame["reason"] for frame in left] == ["service_reset"]
    assert not QueueTicket.objects.filter(user_id=unreadable.user_id).exists()
    assert (QueueEpoch.objects.get(cause="lost").restored, QueueEpoch.objects.get(cause="lost").told) == (1, 1)


def test_leaving_while_the_queue_is_lost_is_final(live_event, pair_of_profiles, sent_frames):
    # given a man waiting when Redis loses everything
    _woman, man = pair_of_profiles
    _join(man, live_event)
    _redis_loses_everything()
    # when he leaves before the restore, and beat's next sweep runs
    with sent_frames():
        assert services.queue_leave(user_id=man.user_id, event_id=live_event.pk) == "left"
        tasks.sweep_live_queues()
    # then he is told he left and is not brought back
    assert [frame["reason"] for frame in _frames_of(sent_frames, man.user_id, "queue.left")] == ["left"]
    assert queue.ticket_get(event_id=live_event.pk, user_id=man.user_id) == {}
    assert not QueueTicket.objects.exists()


def test_open_proposals_end_at_the_loss_and_matches_made_just_before_are_confirmed_again(live_event, sent_frames):
    # given a pair just matched and another pair with a proposal they have not answered yet
    matched = _matched(live_event, *_pair("서울대학교", "부산대학교"))
    woman, man = _pair("연세대학교", "고려대학교")
    lost_proposal = _proposed(live_event, woman, man)
    # when Redis loses everything and beat's next sweep runs
    _redis_loses_everything()
    with sent_frames():
        tasks.sweep_live_queues()
    # then the unanswered pair is back in line and proposed again under a fresh id
    for user_id in (woman.user_id, man.user_id):
        proposed = _frames_of(sent_frames, user_id, "match.proposed")
        assert len(proposed) == 1 and proposed[0]["proposal"] > lost_proposal
    # and the matched pair hears its confirmation again, naming its own match and room
    for user_id in (matched.user_a_id, matched.user_b_id):
        confirmed = _frames_of(sent_frames, user_id, "match.confirmed")
        assert [(frame["match"], frame["room"]) for frame in confirmed] == [(matched.pk, matched.room_id)]


def _copies(event) -> set[int]:
    return set(QueueTicket.objects.filter(event=event).values_list("user_id", flat=True))


def test_postgresql_keeps_a_copy_of_exactly_the_tickets_redis_holds(live_event):
    # given two pairs proposed: every ticket has its copy, with its join time
    first_woman, first_man = _pair("서울대학교", "부산대학교")
    first = _proposed(live_event, first_woman, first_man)
    second_woman, second_man = _pair("연세대학교", "고려대학교")
    second = _proposed(live_event, second_woman, second_man)
    assert _copies(live_event) == {first_woman.user_id, first_man.user_id, second_woman.user_id, second_man.user_id}
    # when the first man declines: only the decliner's copy goes
    services.proposal_respond(user_id=first_man.user_id, proposal_id=first, accept=False)
    assert _copies(live_event) == {first_woman.user_id, second_woman.user_id, second_man.user_id}
    # when the second pair matches: both copies go with the Match
    services.proposal_respond(user_id=second_woman.user_id, proposal_id=second, accept=True)
    services.proposal_respond(user_id=second_man.user_id, proposal_id=second, accept=True)
    assert _copies(live_event) == {first_woman.user_id}
    # when the last one leaves: nothing is left to restore
    services.queue_leave(user_id=first_woman.user_id, event_id=live_event.pk)
    assert _copies(live_event) == set()


def test_a_restore_after_a_loss_queues_the_alert_evaluation_at_once(live_event, monkeypatch, django_capture_on_commit_callbacks):
    from celery import current_app

    # given a man waiting, and Celery's sends recorded instead of reaching the broker
    man = make_profile(gender="M", seeking="F", university=university("부산대학교"))
    _join(man, live_event)
    sent: list[str] = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args: sent.append(name))
    # when Redis loses everything and beat's next sweep restores it
    _redis_loses_everything()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_live_queues()
    # then the alert rules are evaluated now, not at their next tick
    assert sent.count("apps.alerts.tasks.evaluate_alert_rules") == 1


def test_state_in_another_key_layout_is_restored_never_read(live_event, pair_of_profiles, sent_frames):
    # given two men waiting, and a Redis whose marker is the previous layout's (`mq:epoch`, as a
    # release of layout 1 leaves it during a rolling deploy)
    men = [make_profile(gender="M", seeking="F", university=university("부산대학교")) for _ in range(2)]
    for man in men:
        _join(man, live_event)
    before = {user_id: score for user_id, _g, _s, score in queue.waiting(event_id=live_event.pk)}
    client = get_redis()
    client.rename(EPOCH_KEY, "mq:epoch")
    woman, _man = pair_of_profiles
    snapshot = selectors.ticket_snapshot_build(user=woman.user, event=live_event)
    # when a join's script runs, then it refuses: nothing of this state is read or changed
    with pytest.raises(queue.QueueStateLost):
        queue.enqueue(snapshot)
    assert services.queue_state_problem() == "lost"
    # and beat's next sweep restores everyone in this release's layout, at their original place
    with sent_frames():
        tasks.sweep_live_queues()
    assert {user_id: score for user_id, _g, _s, score in queue.waiting(event_id=live_event.pk)} == before
    assert client.exists("mq:epoch") == 0
    assert queue.state_read().epoch == QueueEpoch.objects.order_by("-pk").first().pk
