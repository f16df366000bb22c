"""Who sits with whom in a round: a pure function of the people present and their history.

Opposite-gender pairs are a bipartite matching between the two genders. The long side is
seated in priority order (last round's sit-outs first, then whoever sat out most), each
person through an augmenting path if no compatible seat is free: an augmenting path never
unseats anyone already seated, so the result is a maximum matching, and among the maximum
matchings it seats the long side's highest-priority people (the matchable sets of one side
form a matroid, for which the greedy order is optimal). Hence nobody sits out a second time
while someone on their side who could be seated has sat out less, unless the constraints
(no repeat partner, blocks, the same-university rule) leave no other way.

People who seek their own gender are paired greedily among the rest afterwards, in the
same priority order (not proven maximal: a general graph would need blossoms).

The graph of a real event is nearly complete, so edges are never listed: compatibility is
checked when a seat is tried, and the search stops as soon as no free seat is left.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Seater:
    user_id: int
    gender: str
    seeking: str
    university_id: int
    sitouts: int = 0
    sat_out_last: bool = False
    # Past partners in this event and blocks either way (the caller makes it symmetric).
    excluded: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Seating:
    pairs: list[tuple[int, int]]
    sitouts: list[int]


def compatible(a: Seater, b: Seater, *, allow_same_university: bool) -> bool:
    if a.user_id == b.user_id or b.gender not in a.seeking or a.gender not in b.seeking:
        return False
    if not allow_same_university and a.university_id == b.university_id:
        return False
    return b.user_id not in a.excluded and a.user_id not in b.excluded


def _priority_order(people: Iterable[Seater], rng: random.Random) -> list[Seater]:
    shuffled = list(people)
    rng.shuffle(shuffled)
    return sorted(shuffled, key=lambda s: (not s.sat_out_last, -s.sitouts))


class _Bipartite:
    """Augmenting-path matching from the long side into the short side, with lazy edges."""

    def __init__(self, short: list[Seater], allow_same_university: bool) -> None:
        self.short = short
        self.allow = allow_same_university
        self.partner_of_short: list[Seater | None] = [None] * len(short)
        self.free = list(range(len(short)))

    def _take_free(self, person: Seater) -> int | None:
        for position, index in enumerate(self.free):
            if compatible(person, self.short[index], allow_same_university=self.allow):
                self.free[position] = self.free[-1]
                self.free.pop()
                return index
        return None

    def seat(self, person: Seater) -> bool:
        if not self.free:
            return False
        index = self._take_free(person)
        if index is not None:
            self.partner_of_short[index] = person
            return True
        return self._augment(person)

    def _augment(self, start: Seater) -> bool:
        """Breadth-first search for a path start → taken seat → its holder → … → a free seat."""
        reached_by: dict[int, Seater] = {}
        frontier = [start]
        while frontier:
            next_frontier: list[Seater] = []
            for person in frontier:
                for index, holder in enumerate(self.partner_of_short):
                    if index in reached_by or not compatible(person, self.short[index], allow_same_university=self.allow):
                        continue
                    reached_by[index] = person
                    if holder is None:
                        self._flip(index, reached_by)
                        return True
                    next_frontier.append(holder)
            frontier = next_frontier
        return False

    def _flip(self, end: int, reached_by: dict[int, Seater]) -> None:
        """Move everyone on the path one seat along; the path's start takes the first seat."""
        self.free.remove(end)
        index: int | None = end
        while index is not None:
            person = reached_by[index]
            previous = next((i for i, holder in enumerate(self.partner_of_short) if holder is person), None)
            self.partner_of_short[index] = person
            index = previous

    def pairs(self) -> list[tuple[Seater, Seater]]:
        return [(self.short[i], p) for i, p in enumerate(self.partner_of_short) if p is not None]


def seat_round(people: list[Seater], *, allow_same_university: bool, seed: int = 0) -> Seating:
    """Pair as many as the constraints allow; everyone else sits out this round."""
    rng = random.Random(seed)
    men = [p for p in people if p.gender == "M" and "F" in p.seeking]
    women = [p for p in people if p.gender == "F" and "M" in p.seeking]
    long_side, short_side = (men, women) if len(men) >= len(women) else (women, men)
    short = list(short_side)
    rng.shuffle(short)
    matching = _Bipartite(short, allow_same_university)
    for person in _priority_order(long_side, rng):
        matching.seat(person)
    pairs = matching.pairs()
    seated = {p.user_id for pair in pairs for p in pair}
    pairs.extend(_same_gender_pairs([p for p in people if p.user_id not in seated], allow_same_university, rng))
    seated = {p.user_id for pair in pairs for p in pair}
    ordered = [(min(a.user_id, b.user_id), max(a.user_id, b.user_id)) for a, b in pairs]
    return Seating(pairs=sorted(ordered), sitouts=sorted(p.user_id for p in people if p.user_id not in seated))


def _same_gender_pairs(rest: list[Seater], allow_same_university: bool, rng: random.Random) -> list[tuple[Seater, Seater]]:
    waiting = [p for p in _priority_order(rest, rng) if p.gender in p.seeking]
    pairs: list[tuple[Seater, Seater]] = []
    taken: set[int] = set()
    for index, person in enumerate(waiting):
        if person.user_id in taken:
            continue
        for other in waiting[index + 1 :]:
            if other.user_id not in taken and compatible(person, other, allow_same_university=allow_same_university):
                taken.update((person.user_id, other.user_id))
                pairs.append((person, other))
                break
    return pairs
