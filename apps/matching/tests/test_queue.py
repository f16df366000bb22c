"""The Redis scripts against the Python statement of the rules, on real Redis."""

import json
import threading
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.matching import queue
from apps.matching.queue.tickets import interest_mask
from apps.matching.selectors import TicketView, is_compatible

GENDER = st.sampled_from(["M", "F"])
SEEKING = st.sampled_from(["M", "F", "FM"])
EVENT_ID = 77


@pytest.fixture(autouse=True)
def queue_state():
    """These tests drive the scripts alone: Redis holds the state of epoch 1 (services restore it otherwise)."""
    queue.state_install(epoch=1)


def ticket(draw_id: int, gender: str, seeking: str, university: int, excluded=frozenset(), interests=()) -> queue.TicketSnapshot:
    return queue.TicketSnapshot(
        event_id=EVENT_ID,
        user_id=draw_id,
        gender=gender,
        seeking=seeking,
        university_id=university,
        interest_ids=tuple(interests),
        card_json=json.dumps({"user_id": draw_id}),
        excluded_user_ids=frozenset(excluded),
        allow_same_university=False,
        accept_timeout_s=20,
        max_wait_s=300,
    )


@st.composite
def tickets(draw, max_size=12):
    size = draw(st.integers(min_value=2, max_value=max_size))
    rows = []
    for user_id in range(1, size + 1):
        excluded = draw(st.frozensets(st.integers(min_value=1, max_value=size), max_size=2))
        rows.append(
            ticket(
                user_id,
                draw(GENDER),
                draw(SEEKING),
                draw(st.integers(min_value=1, max_value=3)),
                excluded,
                draw(st.lists(st.integers(min_value=1, max_value=6), max_size=3, unique=True)),
            )
        )
    return rows


def pair_one(user_id: int, event_id: int = EVENT_ID) -> tuple[int, int] | None:
    """Pair one arrival as the drain does; (proposal, partner) or None."""
    made = queue.pair_many(event_id=event_id, user_ids=[user_id])
    if not made:
        return None
    assert made[0].cards[0] == json.dumps({"user_id": user_id})
    return made[0].proposal_id, made[0].user_ids[1]


def view(snapshot: queue.TicketSnapshot) -> TicketView:
    return TicketView(snapshot.user_id, snapshot.gender, snapshot.seeking, snapshot.university_id, snapshot.excluded_user_ids)


@given(a=st.tuples(GENDER, SEEKING, st.integers(1, 3)), b=st.tuples(GENDER, SEEKING, st.integers(1, 3)), same_uni=st.booleans())
def test_compatibility_is_symmetric_and_needs_mutual_preference(a, b, same_uni):
    first, second = TicketView(1, *a), TicketView(2, *b)
    result = is_compatible(first, second, allow_same_university=same_uni)
    assert result == is_compatible(second, first, allow_same_university=same_uni)
    if result:
        assert second.gender in first.seeking and first.gender in second.seeking
        assert same_uni or first.university_id != second.university_id


@given(a=st.tuples(GENDER, SEEKING), b=st.tuples(GENDER, SEEKING), blocker_is_first=st.booleans())
def test_a_block_in_either_direction_forbids_the_pair(a, b, blocker_is_first):
    first = TicketView(1, *a, university_id=1, excluded=frozenset({2}) if blocker_is_first else frozenset())
    second = TicketView(2, *b, university_id=2, excluded=frozenset() if blocker_is_first else frozenset({1}))
    assert not is_compatible(first, second, allow_same_university=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tickets())
def test_scripts_pair_only_compatible_users_and_leave_no_compatible_pair_waiting(rows):
    queue.get_redis().flushdb()
    queue.state_install(epoch=1)
    for offset, snapshot in enumerate(rows):
        queue.enqueue(snapshot, at_ms=1_000_000 + offset)
        pair_one(snapshot.user_id)
    queue.sweep(event_id=EVENT_ID)
    views = {snapshot.user_id: view(snapshot) for snapshot in rows}
    proposed_users = Counter()
    for key in queue.get_redis().scan_iter("mq:p:*"):
        proposal = queue.get_redis().hgetall(key)
        a, b = int(proposal["a"]), int(proposal["b"])
        assert is_compatible(views[a], views[b], allow_same_university=False)
        proposed_users.update([a, b])
    assert all(count == 1 for count in proposed_users.values())
    waiting = [views[user_id] for user_id, *_ in queue.waiting(event_id=EVENT_ID)]
    assert {v.user_id for v in waiting}.isdisjoint(proposed_users)
    assert len(waiting) + len(proposed_users) == len(rows)
    assert not any(is_compatible(x, y, allow_same_university=False) for i, x in enumerate(waiting) for y in waiting[i + 1 :])


def test_longest_waiting_wins_and_interest_overlap_breaks_near_ties(settings):
    settings.MATCHING_FAIRNESS_WINDOW_MS = 100
    queue.enqueue(ticket(1, "M", "F", 1, interests=[1]), at_ms=1_000)
    queue.enqueue(ticket(2, "M", "F", 2, interests=[2, 3]), at_ms=1_050)
    queue.enqueue(ticket(3, "M", "F", 3, interests=[2, 3]), at_ms=5_000)
    queue.enqueue(ticket(4, "F", "M", 4, interests=[2, 3]), at_ms=9_000)
    # the 50 ms younger candidate shares two interests: within the window, overlap wins
    assert pair_one(4)[1] == 2
    queue.enqueue(ticket(5, "F", "M", 5, interests=[2, 3]), at_ms=9_500)
    # the next one gets the longest waiter even though a later one shares more interests
    assert pair_one(5)[1] == 1


def test_interest_ids_past_the_first_mask_word_count_in_the_tie_break(settings):
    # interest n is bit n % 31 of word n // 31 of the ticket's mask
    assert interest_mask([1, 30, 31, 62, 100]) == f"{2**1 + 2**30}:1:1:{2**7}"
    assert interest_mask([]) == "0"
    # given three men within the window sharing one, three and two of her interests (past bit 31)
    settings.MATCHING_FAIRNESS_WINDOW_MS = 100
    queue.enqueue(ticket(1, "M", "F", 1, interests=[1, 40]), at_ms=1_000)
    queue.enqueue(ticket(2, "M", "F", 2, interests=[40, 70, 99]), at_ms=1_050)
    queue.enqueue(ticket(3, "M", "F", 3, interests=[70, 99]), at_ms=1_060)
    queue.enqueue(ticket(4, "F", "M", 4, interests=[5, 40, 70, 99]), at_ms=9_000)
    # then she is proposed the one sharing three
    assert pair_one(4)[1] == 2


def test_bounded_scan_misses_a_partner_far_back_and_the_sweep_finds_them(settings):
    settings.MATCHING_SCAN_DEPTH = 5
    seeker = ticket(1, "F", "M", 1, excluded=set(range(2, 12)))
    queue.enqueue(seeker, at_ms=1)
    for user_id in range(2, 12):
        queue.enqueue(ticket(user_id, "M", "F", 9), at_ms=1 + user_id)
    queue.enqueue(ticket(99, "M", "F", 2), at_ms=100)
    assert pair_one(1) is None
    proposals = queue.sweep(event_id=EVENT_ID)
    assert [proposal.user_ids for proposal in proposals] == [(1, 99)]


def test_workers_racing_on_one_queue_never_put_anyone_in_two_proposals():
    # given 400 arrivals and 6 threads pairing, sweeping and answering at the same time
    rows = [
        ticket(user_id, "M" if user_id % 9 < 5 else "F", "F" if user_id % 9 < 5 else "M", user_id % 7)
        for user_id in range(1, 401)
    ]
    for offset, snapshot in enumerate(rows):
        queue.enqueue(snapshot, at_ms=1_000 + offset)
    errors = []

    def worker(part: list[queue.TicketSnapshot]) -> None:
        try:
            for snapshot in part:
                pair_one(snapshot.user_id)
                if snapshot.user_id % 10 == 0:
                    queue.sweep(event_id=EVENT_ID)
                ticket_state = queue.ticket_get(event_id=EVENT_ID, user_id=snapshot.user_id)
                if ticket_state.get("p") and snapshot.user_id % 3 == 0:
                    queue.respond(proposal_id=int(ticket_state["p"]), user_id=snapshot.user_id, accept=False)
        except Exception as error:  # surfaced below; a thread's exception would be lost otherwise
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(rows[index::6],)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.sweep(event_id=EVENT_ID)
    assert errors == []
    # then every user is in exactly one place and open proposals never share a user
    open_by_user = Counter()
    for key in queue.get_redis().scan_iter("mq:p:*"):
        proposal = queue.get_redis().hgetall(key)
        if proposal["st"] != "closed":
            open_by_user.update([int(proposal["a"]), int(proposal["b"])])
            for user_id in (proposal["a"], proposal["b"]):
                assert queue.ticket_get(event_id=EVENT_ID, user_id=int(user_id))["p"] == key.split(":")[-1]
    assert max(open_by_user.values()) == 1
    waiting = {row[0] for row in queue.waiting(event_id=EVENT_ID)}
    assert waiting.isdisjoint(open_by_user)
    holders = queue.ticket_user_ids(event_id=EVENT_ID)
    assert holders == waiting | set(open_by_user)
    views = [view(rows[user_id - 1]) for user_id in waiting]
    assert not any(is_compatible(x, y, allow_same_university=False) for i, x in enumerate(views) for y in views[i + 1 :])


@pytest.mark.parametrize("accept", [True, False])
def test_a_stranger_cannot_answer_and_nothing_changes(accept):
    queue.enqueue(ticket(1, "F", "M", 1), at_ms=1)
    queue.enqueue(ticket(2, "M", "F", 2), at_ms=2)
    proposal_id, _ = pair_one(2)
    before = queue.proposal_get(proposal_id)
    assert queue.respond(proposal_id=proposal_id, user_id=3, accept=accept) == ["err", "not_your_proposal"]
    assert queue.proposal_get(proposal_id) == before


def test_a_drain_is_asked_for_once_per_burst_and_again_when_it_does_not_start(settings):
    settings.MATCHING_DRAIN_HEDGE_MS = 50
    states = [queue.enqueue(ticket(user_id, "M", "F", user_id), at_ms=at)[1] for user_id, at in [(1, 1000), (2, 1020), (3, 1100)]]
    assert states == ["drain", "waiting", "drain"]
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, at_ms=1101) == [1, 2, 3]
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, at_ms=1102) == []
    assert queue.enqueue(ticket(4, "M", "F", 4), at_ms=1103)[1] == "drain"


def test_joins_while_a_drain_runs_ask_for_no_task_and_none_is_stranded(settings):
    settings.MATCHING_DRAIN_HEDGE_MS = 50
    drain_flag = f"mq:{EVENT_ID}:drain"
    # Given a join asked for a drain and the drain took it (the drain keeps the flag)
    assert queue.enqueue(ticket(1, "M", "F", 1), at_ms=1000)[1] == "drain"
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, at_ms=1010) == [1]
    # When a join comes while the drain pairs, it asks for no task: the running drain takes it
    assert queue.enqueue(ticket(2, "M", "F", 2), at_ms=1040)[1] == "waiting"
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, at_ms=1045) == [2]
    # When the drain lingers (an empty take that keeps the flag) and a join comes before its last take,
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, release=False, at_ms=1050) == []
    assert queue.get_redis().get(drain_flag) == "1050"
    assert queue.enqueue(ticket(3, "M", "F", 3), at_ms=1052)[1] == "waiting"
    # then the releasing take finds that arrival and keeps the flag, the next one deletes it
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, at_ms=1055) == [3]
    assert queue.get_redis().get(drain_flag) == "1055"
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, at_ms=1060) == []
    assert queue.get_redis().exists(drain_flag) == 0
    # and the first join after it asks for a new drain
    assert queue.enqueue(ticket(4, "M", "F", 4), at_ms=1061)[1] == "drain"


def test_a_drain_that_died_holding_the_flag_is_replaced_after_the_hedge(settings):
    settings.MATCHING_DRAIN_HEDGE_MS = 50
    # Given a drain took an arrival (keeping the flag) and died before its next take
    assert queue.enqueue(ticket(1, "M", "F", 1), at_ms=1000)[1] == "drain"
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, at_ms=1010) == [1]
    # When joins come, the ones within the hedge wait for it, the first one after asks for a new drain
    assert queue.enqueue(ticket(2, "M", "F", 2), at_ms=1060)[1] == "waiting"
    assert queue.enqueue(ticket(3, "M", "F", 3), at_ms=1061)[1] == "drain"
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, at_ms=1062) == [2, 3]


def test_the_drain_step_takes_and_pairs_a_batch_and_keeps_the_flag_as_a_take_does():
    drain_flag = f"mq:{EVENT_ID}:drain"
    # Given a man waiting (already drained) and two women arriving
    queue.enqueue(ticket(1, "M", "F", 1), at_ms=1000)
    assert queue.arrivals_take(event_id=EVENT_ID, count=50, at_ms=1001) == [1]
    queue.enqueue(ticket(2, "F", "M", 2), at_ms=1002)
    queue.enqueue(ticket(3, "F", "M", 3), at_ms=1003)
    # When the drain takes one arrival, it pairs her with the man in the same call and keeps the flag
    taken, left, made = queue.pair_arrivals(event_id=EVENT_ID, count=1, at_ms=1010)
    assert (taken, left, [proposal.user_ids for proposal in made]) == (1, 1, [(2, 1)])
    assert queue.get_redis().get(drain_flag) == "1010"
    # then the next step takes the last arrival (nobody left to pair her with) and keeps the flag,
    assert queue.pair_arrivals(event_id=EVENT_ID, count=5, at_ms=1020) == (1, 0, [])
    assert queue.get_redis().get(drain_flag) == "1020"
    # a lingering step that finds none keeps it too, and the releasing step that finds none deletes it
    assert queue.pair_arrivals(event_id=EVENT_ID, count=5, release=False, at_ms=1030) == (0, 0, [])
    assert queue.get_redis().get(drain_flag) == "1030"
    assert queue.pair_arrivals(event_id=EVENT_ID, count=5, at_ms=1040) == (0, 0, [])
    assert queue.get_redis().exists(drain_flag) == 0
    assert [row[0] for row in queue.waiting(event_id=EVENT_ID)] == [3]
