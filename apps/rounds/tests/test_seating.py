"""Property tests of the seating engine over random populations and several rounds."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.rounds.seating import Seater, compatible, seat_round


def exact_maximum_matching(people: list[Seater], *, allow_same_university: bool) -> int:
    """Kuhn's algorithm over the explicit opposite-gender graph, written apart from the engine."""
    men = [p for p in people if p.gender == "M"]
    women = [p for p in people if p.gender == "F"]
    edges = {m.user_id: [w.user_id for w in women if compatible(m, w, allow_same_university=allow_same_university)] for m in men}
    owner: dict[int, int] = {}

    def try_man(man: int, seen: set[int]) -> bool:
        for woman in edges[man]:
            if woman in seen:
                continue
            seen.add(woman)
            if woman not in owner or try_man(owner[woman], seen):
                owner[woman] = man
                return True
        return False

    return sum(try_man(m.user_id, set()) for m in men)


@st.composite
def populations(draw, *, max_size: int = 14, blocks: bool = True, universities: int = 3):
    """Straight students (men seeking women and women seeking men), some blocks between them."""
    size = draw(st.integers(min_value=0, max_value=max_size))
    genders = draw(st.lists(st.sampled_from("MF"), min_size=size, max_size=size))
    unis = draw(st.lists(st.integers(1, universities), min_size=size, max_size=size))
    ids = list(range(1, size + 1))
    block_pairs = set()
    if blocks and size >= 2:
        block_pairs = draw(st.sets(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=size))
    return [(uid, g, u) for uid, g, u in zip(ids, genders, unis, strict=True)], block_pairs


def play_rounds(population, block_pairs, *, rounds: int, allow_same_university: bool, seed: int):
    """Seat `rounds` rounds as the service does: past partners excluded, sit-outs counted."""
    met: dict[int, set[int]] = {uid: set() for uid, _, _ in population}
    for a, b in block_pairs:
        met[a].add(b)
        met[b].add(a)
    blocked = {uid: frozenset(ids) for uid, ids in met.items()}
    sitouts: Counter = Counter()
    last_sitouts: set[int] = set()
    history = []
    for number in range(rounds):
        people = [
            Seater(
                user_id=uid,
                gender=gender,
                seeking="F" if gender == "M" else "M",
                university_id=uni,
                sitouts=sitouts[uid],
                sat_out_last=uid in last_sitouts,
                excluded=frozenset(met[uid]),
            )
            for uid, gender, uni in population
        ]
        seating = seat_round(people, allow_same_university=allow_same_university, seed=seed + number)
        history.append((people, seating))
        for a, b in seating.pairs:
            met[a].add(b)
            met[b].add(a)
        sitouts.update(seating.sitouts)
        last_sitouts = set(seating.sitouts)
    return history, blocked, sitouts


@settings(max_examples=300, deadline=None)
@given(populations(), st.integers(1, 4), st.booleans(), st.integers(0, 10_000))
def test_no_repeats_no_double_seats_no_blocks_and_maximum(drawn, rounds, allow_same_university, seed):
    population, block_pairs = drawn
    history, blocked, _ = play_rounds(
        population, block_pairs, rounds=rounds, allow_same_university=allow_same_university, seed=seed
    )
    everyone_met: set[frozenset[int]] = set()
    for people, seating in history:
        by_id = {p.user_id: p for p in people}
        seated = [uid for pair in seating.pairs for uid in pair]
        # no double seats, and everyone is either seated or sitting out, once
        assert len(seated) == len(set(seated))
        assert sorted(seated + seating.sitouts) == sorted(by_id)
        for a, b in seating.pairs:
            assert frozenset((a, b)) not in everyone_met  # no repeat partner within the event
            assert b not in blocked[a] and a not in blocked[b]
            assert compatible(by_id[a], by_id[b], allow_same_university=allow_same_university)
        everyone_met.update(frozenset(pair) for pair in seating.pairs)
        assert len(seating.pairs) == exact_maximum_matching(people, allow_same_university=allow_same_university)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 8),
    st.integers(0, 8),
    st.integers(1, 6),
    st.integers(0, 10_000),
)
def test_sitouts_rotate_fairly_on_the_long_side(short_count, extra, rounds, seed):
    """Nobody on the long side sits out twice before everyone there sat out once; sit-outs go first next round.

    Every man can meet every woman (one university each, no blocks) and there are no more
    rounds than women, so no repeat is ever forced.
    """
    rounds = min(rounds, short_count)
    women = [(uid, "F", uid) for uid in range(1, short_count + 1)]
    men = [(uid, "M", uid) for uid in range(100, 100 + short_count + extra)]
    history, _, sitouts = play_rounds(women + men, set(), rounds=rounds, allow_same_university=False, seed=seed)
    long_ids = [uid for uid, _, _ in men]
    for number, (_, seating) in enumerate(history):
        assert len(seating.pairs) == short_count
        assert len(seating.sitouts) == extra
        if number:
            previous_sitouts = set(history[number - 1][1].sitouts)
            seated_men = {uid for pair in seating.pairs for uid in pair} - {uid for uid, _, _ in women}
            # last round's sit-outs take the seats first (all of them, or every seat)
            assert previous_sitouts <= seated_men or seated_men <= previous_sitouts
    counts = [sitouts[uid] for uid in long_ids]
    assert max(counts) - min(counts) <= 1
    assert all(sitouts[uid] == 0 for uid, _, _ in women)


def test_a_sitout_is_seated_first_in_the_next_round():
    """Given 1 woman and 3 men, when round 2 is seated, then round 1's partner sits out and a round-1 sit-out is seated."""
    woman = Seater(user_id=1, gender="F", seeking="M", university_id=1)
    men = [Seater(user_id=uid, gender="M", seeking="F", university_id=2) for uid in (10, 11, 12)]
    first = seat_round([woman, *men], allow_same_university=True, seed=1)
    assert len(first.pairs) == 1 and len(first.sitouts) == 2
    seated_man = next(uid for pair in first.pairs for uid in pair if uid != 1)
    second_people = [
        woman,
        *(
            Seater(
                user_id=m.user_id,
                gender="M",
                seeking="F",
                university_id=2,
                sitouts=int(m.user_id in first.sitouts),
                sat_out_last=m.user_id in first.sitouts,
                excluded=frozenset({1}) if m.user_id == seated_man else frozenset(),
            )
            for m in men
        ),
    ]
    woman_second = Seater(user_id=1, gender="F", seeking="M", university_id=1, excluded=frozenset({seated_man}))
    second = seat_round([woman_second, *second_people[1:]], allow_same_university=True, seed=2)
    assert seated_man in second.sitouts
    assert len(second.pairs) == 1 and second.pairs[0][1] in set(first.sitouts)
