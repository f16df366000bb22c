"""The pairing scripts against a plain-Python statement of the same rules, on real Redis.

The reference keeps the queue in lists and states each rule directly: mutual gender
preference, the same-university rule, exclusions both ways, the longest waiter first, and
among the `ties` oldest compatible candidates within the fairness window the largest interest
overlap (then the longer wait). The engine must make exactly the proposals it makes.
"""

import dataclasses
import json
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.matching import queue

EVENT_ID = 78
SEEKINGS = ("M", "F", "FM")


@pytest.fixture(autouse=True)
def queue_state():
    queue.state_install(epoch=1)


def snapshot(user_id, gender, seeking, university, interests=(), excluded=frozenset()) -> queue.TicketSnapshot:
    return queue.TicketSnapshot(
        event_id=EVENT_ID,
        user_id=user_id,
        gender=gender,
        seeking=seeking,
        university_id=university,
        interest_ids=tuple(interests),
        card_json=json.dumps({"user_id": user_id}),
        excluded_user_ids=frozenset(excluded),
        allow_same_university=False,
        accept_timeout_s=20,
        max_wait_s=300,
    )


@dataclass
class ReferenceQueue:
    depth: int
    window: float
    ties: int
    waiting: dict[int, tuple[queue.TicketSnapshot, float]] = field(default_factory=dict)

    def compatible(self, a: queue.TicketSnapshot, b: queue.TicketSnapshot) -> bool:
        return (
            a.user_id != b.user_id
            and b.gender in a.seeking
            and a.gender in b.seeking
            and a.university_id != b.university_id
            and b.user_id not in a.excluded_user_ids
            and a.user_id not in b.excluded_user_ids
        )

    def bucket(self, gender: str, seeking: str) -> list[tuple[queue.TicketSnapshot, float]]:
        rows = [(s, js) for s, js in self.waiting.values() if s.gender == gender and s.seeking == seeking]
        return sorted(rows, key=lambda row: row[1])

    def partner(self, me: queue.TicketSnapshot) -> int | None:
        found, oldest = [], None
        for gender in me.seeking:
            for seeking in SEEKINGS:
                if me.gender not in seeking:
                    continue
                taken = 0
                for candidate, js in self.bucket(gender, seeking)[: self.depth]:
                    if oldest is not None and js > oldest + self.window:
                        break
                    if self.compatible(me, candidate):
                        oldest = js if oldest is None else min(oldest, js)
                        found.append((candidate, js))
                        taken += 1
                        if taken >= self.ties:
                            break
        ranked = sorted(found, key=lambda row: row[1])[: self.ties]
        eligible = [
            (len(set(me.interest_ids) & set(c.interest_ids)), -js, c.user_id) for c, js in ranked if js <= oldest + self.window
        ]
        return max(eligible)[2] if eligible else None

    def pair(self, arrivals: list[int]) -> list[tuple[int, int]]:
        made = []
        for user_id in arrivals:
            if user_id in self.waiting:
                partner = self.partner(self.waiting[user_id][0])
                if partner is not None:
                    made.append((user_id, partner))
                    del self.waiting[user_id], self.waiting[partner]
        return made


@pytest.fixture
def rules(settings):
    settings.MATCHING_SCAN_DEPTH, settings.MATCHING_TIE_BREAK_CANDIDATES, settings.MATCHING_FAIRNESS_WINDOW_MS = 50, 8, 2000
    return settings


@st.composite
def crowds(draw):
    size = draw(st.integers(min_value=2, max_value=16))
    rows, join_ms = [], 1_000_000.0
    for user_id in range(1, size + 1):
        join_ms += draw(st.integers(min_value=1, max_value=1_500))
        rows.append(
            (
                snapshot(
                    user_id,
                    draw(st.sampled_from("MF")),
                    draw(st.sampled_from(SEEKINGS)),
                    draw(st.integers(min_value=1, max_value=3)),
                    draw(st.lists(st.integers(min_value=1, max_value=5), max_size=3, unique=True)),
                    draw(st.frozensets(st.integers(min_value=1, max_value=size), max_size=2)),
                ),
                join_ms,
            )
        )
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=size - 1), max_size=4)))
    batches = [rows[start:end] for start, end in zip([0, *cuts], [*cuts, size], strict=True)]
    return batches


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    batches=crowds(),
    depth=st.integers(min_value=1, max_value=6),
    ties=st.integers(min_value=1, max_value=4),
    window=st.sampled_from([0, 700, 2_000, 10_000]),
)
def test_the_engine_makes_exactly_the_proposals_of_the_reference(rules, batches, depth, ties, window):
    # Given the rules' settings and a crowd arriving in batches (the join pipeline)
    queue.get_redis().flushdb()
    queue.state_install(epoch=1)
    rules.MATCHING_SCAN_DEPTH, rules.MATCHING_TIE_BREAK_CANDIDATES, rules.MATCHING_FAIRNESS_WINDOW_MS = depth, ties, window
    reference = ReferenceQueue(depth=depth, window=window, ties=ties)
    engine_pairs, reference_pairs = [], []
    for batch in batches:
        # When each batch joins in one call and a drain pairs its arrivals
        drain, outcomes = queue.enqueue_many(batch, at_ms=batch[-1][1])
        assert outcomes == [""] * len(batch)
        arrivals = queue.arrivals_take(event_id=EVENT_ID, count=100)
        assert arrivals == [s.user_id for s, _ in batch]
        made = queue.pair_many(event_id=EVENT_ID, user_ids=arrivals)
        engine_pairs += [proposal.user_ids for proposal in made]
        reference.waiting.update({s.user_id: (s, js) for s, js in batch})
        reference_pairs += reference.pair(arrivals)
    # Then both made the same proposals in the same order, and the same people still wait
    assert engine_pairs == reference_pairs
    assert [row[0] for row in queue.waiting(event_id=EVENT_ID)] == sorted(
        reference.waiting, key=lambda u: reference.waiting[u][1]
    )


def test_a_pair_that_declined_is_never_proposed_again_after_the_decliner_rejoins(rules):
    # Given a man and a woman proposed to each other, and she declines
    queue.enqueue(snapshot(1, "M", "F", 1), at_ms=1_000)
    queue.enqueue(snapshot(2, "F", "M", 2), at_ms=1_100)
    (proposal,) = queue.pair_many(event_id=EVENT_ID, user_ids=[2])
    assert queue.respond(proposal_id=proposal.proposal_id, user_id=2, accept=False)[0] == "declined"
    # When she joins again (her new ticket knows no exclusion of its own)
    queue.enqueue(snapshot(2, "F", "M", 2), at_ms=2_000)
    # Then both tickets are flagged, and she is not proposed to him
    assert queue.ticket_get(event_id=EVENT_ID, user_id=1)["x"] == "1"
    assert queue.ticket_get(event_id=EVENT_ID, user_id=2)["x"] == "1"
    assert queue.pair_many(event_id=EVENT_ID, user_ids=[2]) == []
    # and a third man is
    queue.enqueue(snapshot(3, "M", "F", 3), at_ms=2_100)
    assert [p.user_ids for p in queue.pair_many(event_id=EVENT_ID, user_ids=[3])] == [(3, 2)]


def test_a_ticket_without_the_flag_has_its_exclusions_checked(rules):
    # Given a ticket written before tickets carried the exclusion flag, excluding a waiting man
    queue.enqueue(snapshot(1, "M", "F", 1), at_ms=1_000)
    queue.enqueue(snapshot(2, "F", "M", 2, excluded={1}), at_ms=1_100)
    queue.get_redis().hdel(queue.ticket_key(EVENT_ID, 2), "x")
    # When she is paired, then he is not proposed to her
    assert queue.pair_many(event_id=EVENT_ID, user_ids=[2]) == []


def test_a_join_batch_queues_new_tickets_and_reports_those_already_held(rules):
    # Given one man already waiting
    assert queue.enqueue(snapshot(1, "M", "F", 1), at_ms=1_000) == ("queued", "drain")
    # (and the drain took him, then found nobody left and let its flag go)
    assert queue.arrivals_take(event_id=EVENT_ID, count=10, at_ms=1_100) == [1]
    assert queue.arrivals_take(event_id=EVENT_ID, count=10, at_ms=1_200) == []
    # When a batch with him, two newcomers and one of them twice joins in one call
    drain, outcomes = queue.enqueue_many(
        [
            (snapshot(1, "M", "F", 1), 1_500),
            (snapshot(2, "F", "M", 2), 1_600),
            (snapshot(3, "F", "M", 3), 1_700),
            (snapshot(3, "F", "M", 3), 1_800),
        ],
        at_ms=1_900,
    )
    # Then only the newcomers are queued, once, at their own join scores, and a drain is asked for
    assert (drain, outcomes) == ("drain", ["waiting", "", "", "waiting"])
    assert queue.arrivals_take(event_id=EVENT_ID, count=10) == [2, 3]
    assert [(row[0], row[3]) for row in queue.waiting(event_id=EVENT_ID)] == [(1, 1_000.0), (2, 1_600.0), (3, 1_700.0)]
    # and a batch with nobody new asks for no drain
    assert queue.enqueue_many([(snapshot(2, "F", "M", 2), 2_000)], at_ms=2_000) == ("", ["waiting"])


def test_a_join_batch_takes_one_event_only(rules):
    other = dataclasses.replace(snapshot(2, "F", "M", 2), event_id=EVENT_ID + 1)
    with pytest.raises(ValueError):
        queue.enqueue_many([(snapshot(1, "M", "F", 1), 1_000), (other, 1_000)])
    assert queue.waiting(event_id=EVENT_ID) == []


def test_a_join_batch_without_an_epoch_changes_nothing(rules):
    queue.state_condemn()
    with pytest.raises(queue.QueueStateLost):
        queue.enqueue_many([(snapshot(1, "M", "F", 1), 1_000), (snapshot(2, "F", "M", 2), 1_000)])
    assert queue.ticket_user_ids(event_id=EVENT_ID) == set()


def test_among_many_equally_fair_candidates_only_the_oldest_few_are_weighed(rules):
    # Given 20 men who joined within the fairness window; only the 12th shares her interests
    for user_id in range(1, 21):
        queue.enqueue(snapshot(user_id, "M", "F", user_id, interests=[7, 8] if user_id == 12 else [1]), at_ms=1_000 + user_id)
    rules.MATCHING_TIE_BREAK_CANDIDATES = 12
    queue.enqueue(snapshot(99, "F", "M", 99, interests=[7, 8]), at_ms=5_000)
    # When the tie-break weighs the 12 oldest, then he wins
    assert [p.user_ids for p in queue.pair_many(event_id=EVENT_ID, user_ids=[99])] == [(99, 12)]
    # and when it weighs 8, the longest waiter wins
    rules.MATCHING_TIE_BREAK_CANDIDATES = 8
    queue.enqueue(snapshot(98, "F", "M", 98, interests=[7, 8]), at_ms=5_100)
    assert [p.user_ids for p in queue.pair_many(event_id=EVENT_ID, user_ids=[98])] == [(98, 1)]


def test_one_batch_of_seekers_takes_the_bucket_heads_in_turn_and_announces_their_cards(rules):
    # Given 12 men waiting, the 3rd of whom shares every woman's interests, and a scan that
    # weighs 3 candidates among the first 4 of a bucket
    for user_id in range(1, 13):
        queue.enqueue(snapshot(user_id, "M", "F", user_id, interests=[7] if user_id == 3 else [1]), at_ms=1_000 + user_id)
    rules.MATCHING_TIE_BREAK_CANDIDATES, rules.MATCHING_SCAN_DEPTH = 3, 4
    women = list(range(101, 107))
    queue.enqueue_many([(snapshot(uid, "F", "M", uid, interests=[7]), 5_000) for uid in women], at_ms=5_000)
    # When one call pairs all six women (each scan sees the heads the earlier ones left)
    made = queue.pair_many(event_id=EVENT_ID, user_ids=women)
    # Then the first takes the man sharing her interests, the rest the longest waiters in turn,
    # each proposal carrying the man's own card, and every claimed man has left his bucket
    assert [p.user_ids for p in made] == [(101, 3), (102, 1), (103, 2), (104, 4), (105, 5), (106, 6)]
    assert [json.loads(p.cards[1])["user_id"] for p in made] == [3, 1, 2, 4, 5, 6]
    assert [row[0] for row in queue.waiting(event_id=EVENT_ID)] == list(range(7, 13))
