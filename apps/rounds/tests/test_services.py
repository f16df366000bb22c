"""Check-in, round start, deadline, answers and reveal, through the services as users drive them."""

from datetime import timedelta

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone

from apps.chat.models import Room
from apps.core.errors import DomainError
from apps.matching.models import Match
from apps.moderation.blocks import block_create
from apps.realtime import presence
from apps.rounds import events, services
from apps.rounds.models import CheckIn, Round, RoundPair, RoundPhase, RoundSeat
from apps.rounds.tests.factories import checked_in_students, make_rounds_event

ROUND_SEAT_CHECK = "apps.rounds.tasks.round_seat_check"

pytestmark = pytest.mark.django_db


def frames_of(sent, frame_type: str) -> dict[int, dict]:
    """Frames of one type by the receiving user id (every round frame goes to one user group)."""
    return {int(groups[0].rsplit(".", 1)[-1]): frame for groups, frame in sent if frame["type"] == frame_type}


def test_check_in_is_refused_for_an_ended_event_a_queue_event_and_during_a_round():
    ended = make_rounds_event(starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1))
    queue_event = make_rounds_event(format="queue")
    (student,) = checked_in_students(make_rounds_event(), "F")

    for event, code in ((ended, "event_ended"), (queue_event, "not_rounds_event")):
        with pytest.raises(DomainError) as error:
            services.checkin(user=student, event_id=event.pk)
        assert error.value.code == code
    assert CheckIn.objects.filter(user=student).count() == 1


def test_check_in_during_a_round_is_refused_and_allowed_again_in_the_break():
    event = make_rounds_event()
    woman, man = checked_in_students(event, "FM")
    round_ = services.round_start(event_id=event.pk, number=1)
    (late,) = checked_in_students(make_rounds_event(), "F")

    with pytest.raises(DomainError) as error:
        services.checkin(user=late, event_id=event.pk)
    assert error.value.code == "round_in_progress"

    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
    frame = services.checkin(user=late, event_id=event.pk)
    assert (frame["type"], frame["checked_in"], frame["next_round"]) == ("round.checked_in", True, 2)
    assert frame["next_round_at"] == round_.break_ends_at.isoformat()


def test_a_round_seats_the_present_pairs_and_tells_the_sitout_why(sent_frames):
    """Given 2 women and 3 men checked in and online, and a third woman checked in with no socket."""
    event = make_rounds_event()
    women = checked_in_students(event, "FF")
    men = checked_in_students(event, "MMM")
    (offline,) = checked_in_students(event, "F", online=False)

    with sent_frames():
        round_ = services.round_start(event_id=event.pk, number=1)

    pairs = list(RoundPair.objects.filter(round=round_))
    assert len(pairs) == 2
    seated = {u for p in pairs for u in (p.user_a_id, p.user_b_id)}
    assert {w.pk for w in women} <= seated
    assert offline.pk not in set(RoundSeat.objects.filter(round=round_).values_list("user_id", flat=True))
    (sitout,) = [m.pk for m in men if m.pk not in seated]
    assert RoundSeat.objects.get(round=round_, user_id=sitout).pair is None
    seated_frames = frames_of(sent_frames, "round.seated")
    assert set(seated_frames) == seated
    pair = pairs[0]
    frame = seated_frames[pair.user_a_id]
    assert (frame["room"], frame["partner"]["user_id"], frame["round"], frame["number"]) == (
        pair.room_id,
        pair.user_b_id,
        round_.pk,
        1,
    )
    assert frame["ends_at"] == round_.talk_ends_at.isoformat()
    assert Room.objects.get(pk=pair.room_id).is_open
    assert frames_of(sent_frames, "round.sitout") == {
        sitout: {
            "type": "round.sitout",
            "event": event.pk,
            "round": round_.pk,
            "number": 1,
            "reason": "uneven",
            "first_next_round": True,
            "next_round_at": round_.break_ends_at.isoformat(),
            "server_time": frames_of(sent_frames, "round.sitout")[sitout]["server_time"],
        }
    }


def test_the_seated_frames_leave_before_the_new_rooms_join_the_chat_lists(sent_frames):
    """Given 2 women and 2 men present: the round's own frames go first, the rooms' chat-list frames after."""
    event = make_rounds_event()
    students = checked_in_students(event, "FFMM")

    with sent_frames():
        round_ = services.round_start(event_id=event.pk, number=1)

    kinds = [frame["type"] for _groups, frame in sent_frames]
    assert kinds == ["round.seated"] * 4 + ["room.created"] * 4
    rooms = set(RoundPair.objects.filter(round=round_).values_list("room_id", flat=True))
    announced = {(int(groups[0].rsplit(".", 1)[-1]), frame["room"]["id"]) for groups, frame in sent_frames[4:]}
    assert {room for _user, room in announced} == rooms
    assert {user for user, _room in announced} == {student.pk for student in students}


def test_a_round_starts_once_even_when_asked_twice():
    event = make_rounds_event()
    checked_in_students(event, "FM")

    first = services.round_start(event_id=event.pk, number=1)
    second = services.round_start(event_id=event.pk, number=1)

    assert first is not None and second is None
    assert Round.objects.filter(event=event).count() == 1
    assert RoundPair.objects.filter(event=event).count() == 1


def test_a_worker_that_dies_mid_start_leaves_nothing_and_the_next_tick_starts_the_round_once(monkeypatch):
    """Given the start fails after the rooms were made (the worker is killed), nothing of it stays."""
    event = make_rounds_event()
    checked_in_students(event, "FMFM")

    def killed(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(events, "round_started", killed)
    with pytest.raises(SystemExit), transaction.atomic():
        services.round_start(event_id=event.pk, number=1)
    assert (Round.objects.count(), RoundPair.objects.count(), Room.objects.count()) == (0, 0, 0)

    monkeypatch.undo()
    result = services.clock_tick(event_id=event.pk)
    assert result.started is not None
    assert services.clock_tick(event_id=event.pk).started is None
    assert (Round.objects.count(), RoundPair.objects.count()) == (1, 2)


def test_blocked_and_already_met_students_are_never_seated_together():
    event = make_rounds_event(rounds_count=2)
    woman, man = checked_in_students(event, "FM")
    round_ = services.round_start(event_id=event.pk, number=1)
    assert RoundPair.objects.filter(round=round_).count() == 1
    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
    services.round_finish(round_id=round_.pk, now=round_.break_ends_at)

    second = services.round_start(event_id=event.pk, number=2, now=round_.break_ends_at)
    assert RoundPair.objects.filter(round=second).count() == 0
    other_event = make_rounds_event()
    w2, m2 = checked_in_students(other_event, "FM")
    block_create(blocker=w2, blocked_user_id=m2.pk)
    third = services.round_start(event_id=other_event.pk, number=1)
    assert RoundPair.objects.filter(round=third).count() == 0
    assert RoundSeat.objects.filter(round=third, pair__isnull=True).count() == 2


def play_to_answers(event, genders="FM"):
    students = checked_in_students(event, genders)
    round_ = services.round_start(event_id=event.pk, number=1)
    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
    round_.refresh_from_db()
    return students, round_


def test_at_the_deadline_the_room_turns_read_only_and_answers_open(sent_frames):
    event = make_rounds_event()
    students = checked_in_students(event, "FM")
    round_ = services.round_start(event_id=event.pk, number=1)
    pair = RoundPair.objects.get(round=round_)

    assert services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at - timedelta(seconds=1)) is False
    with sent_frames():
        assert services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at) is True
    assert services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at) is False

    assert Room.objects.get(pk=pair.room_id).is_open is False
    assert Round.objects.get(pk=round_.pk).phase == RoundPhase.ANSWERING
    ended = frames_of(sent_frames, "round.talk_ended")
    assert set(ended) == {s.pk for s in students}
    assert ended[students[0].pk]["answer_until"] == round_.break_ends_at.isoformat()


@pytest.mark.parametrize(
    ("when", "code"),
    [("before_deadline", "round_not_over"), ("after_break", "answer_closed")],
)
def test_answers_outside_the_answer_window_are_refused(when, code):
    event = make_rounds_event()
    (woman, _man) = checked_in_students(event, "FM")
    round_ = services.round_start(event_id=event.pk, number=1)
    now = round_.talk_ends_at - timedelta(seconds=5)
    if when == "after_break":
        services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
        now = round_.break_ends_at
    with pytest.raises(DomainError) as error:
        services.round_answer(user_id=woman.pk, round_id=round_.pk, answer="yes", now=now)
    assert error.value.code == code
    assert RoundSeat.objects.get(round=round_, user=woman).answer == ""


def test_a_second_answer_and_a_stranger_answer_are_refused_and_change_nothing():
    event = make_rounds_event()
    (woman, man, extra), round_ = play_to_answers(event, "FMM")
    sitout = man if not RoundSeat.objects.get(round=round_, user=man).pair_id else extra
    services.round_answer(user_id=woman.pk, round_id=round_.pk, answer="no")
    for user, answer, code in (
        (woman, "yes", "already_answered"),
        (sitout, "yes", "not_seated"),
        (woman, "maybe", "invalid_answer"),
    ):
        with pytest.raises(DomainError) as error:
            services.round_answer(user_id=user.pk, round_id=round_.pk, answer=answer)
        assert error.value.code == code
    assert RoundSeat.objects.get(round=round_, user=woman).answer == "no"


def test_a_mutual_yes_becomes_a_match_with_a_lasting_room(sent_frames):
    event = make_rounds_event()
    (woman, man), round_ = play_to_answers(event)
    services.round_answer(user_id=woman.pk, round_id=round_.pk, answer="yes")
    services.round_answer(user_id=man.pk, round_id=round_.pk, answer="yes")

    with sent_frames():
        assert services.round_finish(round_id=round_.pk, now=round_.break_ends_at) is True
    assert services.round_finish(round_id=round_.pk, now=round_.break_ends_at) is False

    match = Match.objects.get(event=event)
    assert (match.user_a_id, match.user_b_id) == tuple(sorted((woman.pk, man.pk)))
    assert match.room.is_open and match.room_id != RoundPair.objects.get(round=round_).room_id
    revealed = frames_of(sent_frames, "round.match")
    assert set(revealed) == {woman.pk, man.pk}
    assert (revealed[woman.pk]["room"], revealed[woman.pk]["partner"]["user_id"]) == (match.room_id, man.pk)
    assert {uid: f["matches"] for uid, f in frames_of(sent_frames, "round.over").items()} == {woman.pk: 1, man.pk: 1}


def test_a_one_sided_yes_is_never_shown_and_no_answer_counts_as_no(sent_frames):
    event = make_rounds_event()
    (woman, man), round_ = play_to_answers(event)
    services.round_answer(user_id=woman.pk, round_id=round_.pk, answer="yes")

    with sent_frames():
        services.round_finish(round_id=round_.pk, now=round_.break_ends_at)

    assert Match.objects.count() == 0
    assert frames_of(sent_frames, "round.match") == {}
    assert {uid: f["matches"] for uid, f in frames_of(sent_frames, "round.over").items()} == {woman.pk: 0, man.pk: 0}


def test_reveal_at_the_end_waits_for_the_last_round(sent_frames):
    event = make_rounds_event(reveal="at_end", rounds_count=2)
    (woman, man, woman2, man2), round_ = play_to_answers(event, "FMFM")
    for user in (woman, man, woman2, man2):
        services.round_answer(user_id=user.pk, round_id=round_.pk, answer="yes")
    services.round_finish(round_id=round_.pk, now=round_.break_ends_at)
    assert Match.objects.count() == 0

    second = services.round_start(event_id=event.pk, number=2, now=round_.break_ends_at)
    services.round_talk_end(round_id=second.pk, now=second.talk_ends_at)
    with sent_frames():
        services.round_finish(round_id=second.pk, now=second.break_ends_at)
    assert Match.objects.count() == 2
    assert len(frames_of(sent_frames, "round.match")) == 4


def test_a_seated_student_who_drops_mid_round_is_reported_to_the_partner_after_the_grace(sent_frames, monkeypatch):
    event = make_rounds_event()
    woman, man = checked_in_students(event, "FM")
    round_ = services.round_start(event_id=event.pk, number=1)
    scheduled = []

    # queued by name (apps.core.task_queue.task_send): the grace check is a task of the worker
    def send_task(name, args, countdown):
        if name == ROUND_SEAT_CHECK:
            scheduled.append((args, countdown))

    monkeypatch.setattr(current_app, "send_task", send_task)
    presence.socket_closed(user_id=man.pk, channel_name=f"test.{man.pk}")

    assert services.seated_socket_closed(user_id=man.pk, channel_name=f"test.{man.pk}") is True
    assert scheduled == [((man.pk, round_.pk), 5)]
    with sent_frames():
        assert services.seated_user_away(user_id=man.pk, round_id=round_.pk) is True

    pair = RoundPair.objects.get(round=round_)
    assert frames_of(sent_frames, "round.partner_left") == {
        woman.pk: {"type": "round.partner_left", "round": round_.pk, "room": pair.room_id}
    }
    assert Room.objects.get(pk=pair.room_id).is_open


def test_a_student_back_within_the_grace_is_not_reported(sent_frames):
    event = make_rounds_event()
    _woman, man = checked_in_students(event, "FM")
    round_ = services.round_start(event_id=event.pk, number=1)
    presence.socket_touch(user_id=man.pk, channel_name="test.room-page")

    with sent_frames():
        assert services.seated_user_away(user_id=man.pk, round_id=round_.pk) is False
    assert frames_of(sent_frames, "round.partner_left") == {}


def test_a_late_clock_never_starts_the_next_round_before_the_last_one_was_revealed():
    """Given the worker was down through round 1's deadline and break, a tick ends the talk,
    the next reveals, and only then is round 2 seated."""
    event = make_rounds_event(rounds_count=2)
    checked_in_students(event, "FMFM")
    first = services.round_start(event_id=event.pk, number=1)
    late = first.break_ends_at + timedelta(minutes=1)

    assert services.round_start(event_id=event.pk, number=2, now=late) is None
    ticks = [services.clock_tick(event_id=event.pk, now=late) for _ in range(2)]

    assert [(t.talk_ended, t.finished, t.started is not None) for t in ticks] == [(1, 0, False), (0, 1, True)]
    assert Round.objects.get(pk=first.pk).phase == RoundPhase.DONE
