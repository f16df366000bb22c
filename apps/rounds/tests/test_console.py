"""The organizer console: pause, resume, extend, skip, end; two staff at once; invalid presses; the audit log."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from apps.accounts.tests.factories import make_user
from apps.chat.models import Room
from apps.core.errors import DomainError
from apps.events.models import Event
from apps.matching.models import Match
from apps.rounds import console, selectors, services
from apps.rounds.models import ConsoleAction, Round, RoundPair, RoundPhase, RoundSeat
from apps.rounds.tests.factories import checked_in_students, make_rounds_event

pytestmark = pytest.mark.django_db


def make_staff():
    user = make_user()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def started(genders: str = "FFM", **event_fields):
    event = make_rounds_event(**event_fields)
    students = checked_in_students(event, genders)
    round_ = services.round_start(event_id=event.pk, number=1)
    return event, students, round_


def press(staff, event, action: str, round_: Round | None, *, now=None) -> dict:
    fresh = Round.objects.get(pk=round_.pk) if round_ else None
    return console.console_act(
        staff_id=staff.pk,
        event_id=event.pk,
        action=action,
        round_id=fresh.pk if fresh else None,
        version=fresh.version if fresh else None,
        now=now,
    )


def frames_of(sent, frame_type: str) -> dict[int, dict]:
    return {int(groups[0].rsplit(".", 1)[-1]): frame for groups, frame in sent if frame["type"] == frame_type}


def test_pause_stops_the_clock_and_resume_shifts_both_deadlines_by_the_paused_time(sent_frames):
    """Given a round being talked, paused 10 s after its start and resumed 70 s later."""
    staff = make_staff()
    event, (woman, _, man), round_ = started()
    paused_at = round_.started_at + timedelta(seconds=10)

    with sent_frames():
        done = press(staff, event, "pause", round_, now=paused_at)
    assert done == {"type": "console.done", "event": event.pk, "action": "pause"}
    clocks = frames_of(sent_frames, "round.clock")
    assert clocks[woman.pk]["paused"] is True and clocks[woman.pk]["change"] == "paused"
    assert set(clocks) == set(RoundSeat.objects.filter(round=round_).values_list("user_id", flat=True))

    # the clock does nothing while paused, even past the old deadline
    assert services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at + timedelta(seconds=5)) is False
    assert services.clock_tick(event_id=event.pk, now=round_.break_ends_at + timedelta(seconds=5)).finished == 0
    assert Round.objects.get(pk=round_.pk).phase == RoundPhase.TALKING

    sent_frames.clear()
    with sent_frames():
        press(staff, event, "resume", round_, now=paused_at + timedelta(seconds=70))
    resumed = Round.objects.get(pk=round_.pk)
    assert resumed.talk_ends_at == round_.talk_ends_at + timedelta(seconds=70)
    assert resumed.break_ends_at == round_.break_ends_at + timedelta(seconds=70)
    assert (resumed.paused_at, resumed.version) == (None, round_.version + 2)
    assert frames_of(sent_frames, "round.clock")[man.pk]["ends_at"] == resumed.talk_ends_at.isoformat()

    # the old deadline passes without effect; the shifted one ends the talk
    assert services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at + timedelta(seconds=69)) is False
    assert services.round_talk_end(round_id=round_.pk, now=resumed.talk_ends_at) is True


def test_extend_moves_every_room_deadline_by_a_minute_and_tells_the_students(sent_frames):
    staff = make_staff()
    event, students, round_ = started("FFMM")

    with sent_frames():
        press(staff, event, "extend", round_, now=round_.started_at + timedelta(seconds=30))

    extended = Round.objects.get(pk=round_.pk)
    assert extended.talk_ends_at - round_.talk_ends_at == timedelta(minutes=1)
    assert extended.break_ends_at - round_.break_ends_at == timedelta(minutes=1)
    clocks = frames_of(sent_frames, "round.clock")
    rooms = dict(RoundSeat.objects.filter(round=round_).values_list("user_id", "pair__room_id"))
    assert {user_id: frame["room"] for user_id, frame in clocks.items()} == rooms
    assert {frame["change"] for frame in clocks.values()} == {"extended"}
    assert services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at) is False


def test_skip_ends_the_talk_now_and_starts_the_full_break(sent_frames):
    staff = make_staff()
    event, _, round_ = started()
    now = round_.started_at + timedelta(seconds=20)

    with sent_frames():
        press(staff, event, "skip", round_, now=now)

    skipped = Round.objects.get(pk=round_.pk)
    assert (skipped.phase, skipped.talk_ends_at) == (RoundPhase.ANSWERING, now)
    assert skipped.break_ends_at == now + timedelta(seconds=event.break_s)
    pair = RoundPair.objects.get(round=round_)
    assert Room.objects.get(pk=pair.room_id).closed_at is not None
    assert frames_of(sent_frames, "round.talk_ended")[pair.user_a_id]["answer_until"] == skipped.break_ends_at.isoformat()
    services.round_answer(user_id=pair.user_a_id, round_id=round_.pk, answer="yes", now=now + timedelta(seconds=1))


def test_end_during_the_answers_reveals_per_the_event_setting_and_closes_the_event(sent_frames):
    """Given an event revealing at the end, ended by staff during round 1's answers after both said yes."""
    staff = make_staff()
    event, (woman, man), round_ = started("FM", reveal="at_end")
    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
    for user in (woman, man):
        services.round_answer(user_id=user.pk, round_id=round_.pk, answer="yes", now=round_.talk_ends_at)

    with sent_frames():
        press(staff, event, "end", round_, now=round_.talk_ends_at + timedelta(seconds=5))

    assert Round.objects.get(pk=round_.pk).phase == RoundPhase.DONE
    assert Match.objects.filter(event=event, user_a=min(woman.pk, man.pk)).count() == 1
    assert Event.objects.get(pk=event.pk).state == "ended"
    assert frames_of(sent_frames, "round.over")[woman.pk]["next_round_at"] is None
    assert services.clock_tick(event_id=event.pk, now=round_.break_ends_at + timedelta(minutes=5)).started is None
    assert Round.objects.filter(event=event).count() == 1


def test_end_while_talking_closes_the_rooms_and_nobody_is_matched():
    staff = make_staff()
    event, _, round_ = started()

    press(staff, event, "end", round_)

    assert Round.objects.get(pk=round_.pk).phase == RoundPhase.DONE
    assert Room.objects.get(pk=RoundPair.objects.get(round=round_).room_id).closed_at is not None
    assert Match.objects.filter(event=event).count() == 0


@pytest.mark.parametrize(
    ("action", "setup", "code"),
    [
        ("resume", "talking", "not_paused"),
        ("pause", "paused", "already_paused"),
        ("extend", "past_deadline", "past_deadline"),
        ("extend", "answering", "not_talking"),
        ("skip", "answering", "not_talking"),
        ("pause", "done", "round_ended"),
        ("extend", "done", "round_ended"),
        ("end", "ended", "already_done"),
        ("pause", "ended", "event_ended"),
        ("bogus", "talking", "invalid_action"),
    ],
)
def test_an_invalid_press_is_refused_with_its_code_and_changes_nothing(action, setup, code):
    staff = make_staff()
    event, _, round_ = started()
    now = round_.started_at + timedelta(seconds=5)
    if setup == "paused":
        press(staff, event, "pause", round_, now=now)
    elif setup == "past_deadline":
        now = round_.talk_ends_at + timedelta(milliseconds=500)
    elif setup in ("answering", "done"):
        services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
        now = round_.talk_ends_at + timedelta(seconds=1)
        if setup == "done":
            services.round_finish(round_id=round_.pk, now=round_.break_ends_at)
            now = round_.break_ends_at
    elif setup == "ended":
        press(staff, event, "end", round_, now=now)
    before = Round.objects.filter(pk=round_.pk).values().get()
    log_size = ConsoleAction.objects.count()

    with pytest.raises(DomainError) as error:
        press(staff, event, action, round_, now=now)

    assert error.value.code == code
    assert Round.objects.filter(pk=round_.pk).values().get() == before
    if action != "bogus":
        refused = ConsoleAction.objects.first()
        assert (ConsoleAction.objects.count(), refused.action, refused.error) == (log_size + 1, action, code)


def test_a_press_from_a_stale_console_after_the_clock_moved_on_is_refused():
    """The console showed round 1 talking; the deadline passed and the clock ended the talk meanwhile."""
    staff = make_staff()
    event, _, round_ = started()
    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)

    with pytest.raises(DomainError) as error:
        console.console_act(staff_id=staff.pk, event_id=event.pk, action="extend", round_id=round_.pk, version=round_.version)

    assert error.value.code == "already_done"
    assert Round.objects.get(pk=round_.pk).talk_ends_at == round_.talk_ends_at


def test_non_staff_and_queue_events_are_refused():
    event, (woman, *_), round_ = started()
    staff = make_staff()
    queue_event = make_rounds_event(format="queue")
    for user, target, code in ((woman, event, "forbidden"), (staff, queue_event, "not_rounds_event")):
        with pytest.raises(DomainError) as error:
            console.console_act(staff_id=user.pk, event_id=target.pk, action="pause", round_id=round_.pk, version=1)
        assert error.value.code == code
    assert ConsoleAction.objects.count() == 0


def test_every_press_is_audited_with_who_what_and_the_state_before_and_after():
    staff = make_staff()
    event, _, round_ = started()
    now = round_.started_at + timedelta(seconds=3)

    press(staff, event, "pause", round_, now=now)

    entry = ConsoleAction.objects.get()
    assert (entry.staff_id, entry.action, entry.round_id, entry.error) == (staff.pk, "pause", round_.pk, "")
    assert (entry.before["paused"], entry.after["paused"]) == (False, True)
    assert (entry.before["version"], entry.after["version"]) == (round_.version, round_.version + 1)
    log = selectors.console_state(event=event)["log"]
    assert [(row["action"], row["error"]) for row in log] == [("pause", "")]


def test_the_console_state_counts_check_ins_by_gender_pairs_sitouts_and_the_last_yes_rate():
    staff = make_staff()
    event, (w1, w2, man), round_ = started()
    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
    services.round_answer(user_id=man.pk, round_id=round_.pk, answer="yes", now=round_.talk_ends_at)
    services.round_finish(round_id=round_.pk, now=round_.break_ends_at)

    state = console.console_snapshot(user_id=staff.pk, event_id=event.pk)

    assert state["checked_in"] == {"M": 1, "F": 2, "total": 3}
    assert (state["round"]["number"], state["round"]["pairs"], state["round"]["sitouts"]) == (1, 1, 1)
    assert (state["last_yes_rate"], state["last_mutual_rate"]) == (0.5, 0.0)
    assert (state["next_round"], state["allowed"]) == (2, ["end"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["pause", "extend", "skip", "end"])
def test_two_staff_pressing_at_once_do_one_thing_and_the_second_is_told(action):
    """Two organizers' consoles show the same round and version; both press in the same instant."""
    first, second = make_staff(), make_staff()
    event, _, round_ = started()
    start = threading.Barrier(2)

    def press_in_thread(staff):
        from django.db import connection as thread_connection

        try:
            start.wait()
            console.console_act(staff_id=staff.pk, event_id=event.pk, action=action, round_id=round_.pk, version=round_.version)
            return "done"
        except DomainError as error:
            return error.code
        finally:
            thread_connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(press_in_thread, [first, second]))

    assert outcomes == ["already_done", "done"]
    assert ConsoleAction.objects.filter(error="").count() == 1
    assert ConsoleAction.objects.filter(error="already_done").count() == 1
    after = Round.objects.get(pk=round_.pk)
    if action == "extend":
        assert after.talk_ends_at - round_.talk_ends_at == timedelta(minutes=1)


def test_the_beat_tick_respects_a_pause_and_a_resume_idempotently():
    """Ticks at every second of a paused minute change nothing; after resume the tick ends the talk once, on time."""
    staff = make_staff()
    event, _, round_ = started()
    paused_at = round_.started_at + timedelta(seconds=30)
    press(staff, event, "pause", round_, now=paused_at)
    for second in range(0, 200, 7):
        result = services.clock_tick(event_id=event.pk, now=round_.talk_ends_at + timedelta(seconds=second))
        assert (result.talk_ended, result.finished, result.started) == (0, 0, None)
    resume_at = paused_at + timedelta(minutes=3)
    press(staff, event, "resume", round_, now=resume_at)
    new_deadline = Round.objects.get(pk=round_.pk).talk_ends_at
    assert new_deadline == round_.talk_ends_at + timedelta(minutes=3)

    assert services.clock_tick(event_id=event.pk, now=new_deadline - timedelta(seconds=1)).talk_ended == 0
    assert services.clock_tick(event_id=event.pk, now=new_deadline).talk_ended == 1
    assert services.clock_tick(event_id=event.pk, now=new_deadline).talk_ended == 0


def test_the_clock_publishes_the_console_state_only_while_a_console_watches(sent_frames):
    staff = make_staff()
    event, _, round_ = started()
    tick_at = round_.started_at + timedelta(seconds=1)

    with sent_frames():
        services.clock_tick(event_id=event.pk, now=tick_at)
    assert [frame for _, frame in sent_frames if frame["type"] == "console.state"] == []

    console.console_snapshot(user_id=staff.pk, event_id=event.pk)
    with sent_frames():
        services.clock_tick(event_id=event.pk, now=tick_at)
    published = [(groups, frame) for groups, frame in sent_frames if frame["type"] == "console.state"]
    assert [groups for groups, _ in published] == [[f"rounds.console.{event.pk}"]]
    assert published[0][1]["round"]["id"] == round_.pk


def test_a_student_who_reconnects_during_a_pause_is_told_the_round_is_paused():
    staff = make_staff()
    event, _, round_ = started("FM")
    pair = RoundPair.objects.get(round=round_)
    press(staff, event, "pause", round_, now=round_.started_at + timedelta(seconds=5))

    state = selectors.round_state(user_id=pair.user_a_id, room_id=pair.room_id)

    assert (state["phase"], state["paused"], state["ends_at"]) == ("talking", True, round_.talk_ends_at.isoformat())
