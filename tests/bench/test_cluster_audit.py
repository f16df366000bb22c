"""`make bench-cluster`'s audit: a message is lost only when the server lost it, not while a client is away."""

from bench.cluster_audit import message_losses, overlapping_matches
from bench.cluster_clients import Student


def _student(user: int, *, room: int | None, seen: set[int], back: bool = True, resumed: bool = True) -> Student:
    student = Student({"user": user, "session": "s"}, host="10.0.0.2", port=80, event_id=1, chat_interval_s=4.0)
    student.room, student.seen = room, set(seen)
    student.back_at_end, student.resumed_at_end = back, resumed
    return student


def test_a_student_who_is_back_and_lacks_a_stored_message_lost_it():
    # Given room 7 holds seqs 1-3 and a resumed student saw only 1 and 3
    student = _student(1, room=7, seen={1, 3})
    # When the losses are counted
    losses, examples, back = message_losses([student], by_room={7: {1, 2, 3}}, ids_by_sender={})
    # Then seq 2 was never delivered
    assert dict(losses) == {"never_delivered": 1, "acked_not_stored": 0, "never_acked": 0}
    assert examples == [{"user": 1, "room": 7, "missing_seqs": [2], "unacked": None}]
    assert back == {student}


def test_a_student_not_back_is_counted_apart_but_her_acknowledged_sends_are_still_audited():
    # Given one student who never reconnected and one whose last resume went unanswered; the
    # first holds an acknowledgement for a message PostgreSQL does not have
    away = _student(1, room=7, seen={1}, back=False)
    away.acked = {"1-1": 2, "1-2": 3}
    unanswered = _student(2, room=7, seen=set(), resumed=False)
    # When the losses are counted
    losses, examples, back = message_losses([away, unanswered], by_room={7: {1, 2, 3}}, ids_by_sender={1: {"1-1"}})
    # Then what they lack is not a loss, the acknowledged but unstored message is
    assert dict(losses) == {"never_delivered": 0, "acked_not_stored": 1, "never_acked": 0}
    assert examples == []
    assert back == set()


def test_an_unacknowledged_send_is_lost_only_when_the_server_never_stored_it():
    # Given two students back at the end, each with a send never acknowledged: one stored, one not
    stored = _student(1, room=7, seen={1, 2})
    stored.pending = {"type": "message.send", "room": 7, "client_msg_id": "1-2"}
    unstored = _student(2, room=7, seen={1, 2})
    unstored.pending = {"type": "message.send", "room": 7, "client_msg_id": "2-1"}
    # When the losses are counted
    losses, _examples, _back = message_losses([stored, unstored], by_room={7: {1, 2}}, ids_by_sender={1: {"1-1", "1-2"}})
    # Then only the one PostgreSQL lacks is lost
    assert losses["never_acked"] == 1


def test_a_student_without_a_room_is_back_once_connected():
    # Given a student who never matched, connected at the end, with no resume to answer
    student = _student(3, room=None, seen=set(), resumed=False)
    # When the losses are counted
    losses, _examples, back = message_losses([student], by_room={}, ids_by_sender={})
    # Then she is back and lost nothing
    assert back == {student}
    assert sum(losses.values()) == 0


def test_only_matches_that_overlap_are_double_matches():
    from datetime import UTC, datetime

    def at(second: int) -> datetime:
        return datetime(2026, 12, 6, 20, 0, second, tzinfo=UTC)

    # Given student 1 matched with 2, then (after joining again ended it) with 3; and student 4
    # matched with 5 while her match with 6 was still active
    rows = [
        (1, 2, 10, at(0), at(5)),
        (1, 3, 11, at(6), None),
        (4, 6, 12, at(0), None),
        (4, 5, 13, at(3), None),
    ]
    # When the overlaps are counted
    # Then only student 4 held two matches at once
    assert overlapping_matches(rows) == {4}


def test_a_live_message_overtaken_by_a_later_one_is_shown_in_order_as_the_room_page_does():
    from bench.cluster_audit import shown_out_of_order
    from bench.cluster_clients import FRAMES

    # Given a matched student whose live frames arrive 1, 3, then 2 (3's fan-out overtook 2's)
    student = _student(4, room=7, seen=set())
    overtaken_before = FRAMES["bench.live_overtaken"]
    sent: list[dict] = []
    student.send = sent.append
    for seq in (1, 3, 2):
        student.on_message_new({"type": "message.new", "room": 7, "seq": seq})
    # Then 3 waited for 2, the page shows 1, 2, 3, and the overtake is recorded apart
    assert student.shown == [1, 2, 3]
    assert shown_out_of_order(student.shown) == 0
    assert FRAMES["bench.live_overtaken"] == overtaken_before + 1
    # And the gap made her ask for what was missing, from the last seq shown
    assert sent == [{"type": "resume", "rooms": {"7": 1}}]


def test_a_history_shown_out_of_seq_order_counts_each_message_shown_late():
    from bench.cluster_audit import shown_out_of_order

    assert shown_out_of_order([1, 2, 3]) == 0
    assert shown_out_of_order([1, 3, 2, 4, 4]) == 2


def test_a_student_sends_nothing_new_once_the_bench_has_stopped_the_chat(monkeypatch):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import bench.cluster_clients as clients

    # Given a matched, connected student whose chat loop waits between two messages (random()
    # fixed at 0.5: she starts after 0.05 s and then sends every 0.1 s)
    monkeypatch.setattr(clients.random, "random", lambda: 0.5)
    student = _student(5, room=7, seen=set())
    student.chat_interval_s = 0.1
    student.paused = False
    sent: list[dict] = []
    student.send = sent.append

    async def scenario() -> None:
        student.connected.set()
        chat = asyncio.create_task(student.chat())
        await asyncio.sleep(0.08)  # inside her wait for the first message
        # When the bench's end stops the chat during that wait
        student.chatting = False
        await asyncio.wait_for(chat, timeout=1)

    # A thread of its own: a browser test earlier in the session may have left an event loop
    # running in this one, and asyncio.run refuses to start inside it.
    with ThreadPoolExecutor(max_workers=1) as runner:
        runner.submit(asyncio.run, scenario()).result()
    # Then no message leaves after the stop (one would race the final resume and the close)
    assert sent == []
    assert student.pending is None
    assert student.sent == 0
