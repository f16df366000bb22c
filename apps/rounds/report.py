"""The post-event report: per event, per round and per university, for both event formats.

One read (`event_report`) feeds the staff page, the JSON API and the streamed CSV, so the three
always agree. Definitions (also in docs/report.md):

- participants: students who checked in to the rounds, were seated, or joined the queue;
- seated / sit-outs: seats of students in rounds (a student seated in three rounds counts three);
- proposals: rounds' pairs seated plus the queue's proposals; matches: Matches made;
- mutual-yes rate: pairs where both said yes plus queue proposals both accepted, over proposals;
- median chat length: messages per room — of each round's own rooms for a round, of the lasting
  chats (matches' rooms) for the event and a university;
- reports filed: reports about messages in the event's rooms (lobby, round rooms, matches' rooms).
"""

import csv
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from statistics import median

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from apps.accounts.models import Profile, University
from apps.chat.models import Message, Room
from apps.events.models import Event
from apps.matching.models import Match, TicketEvent, TicketEventKind
from apps.moderation.models import Report
from apps.rounds.models import CheckIn, RoundPair, RoundSeat


@dataclass
class ReportRow:
    scope: str  # "event", "round" or "university"
    key: str  # the round's number or the university's id; empty for the event
    label: str
    participants: int = 0
    seated: int = 0
    sitouts: int = 0
    proposals: int = 0
    matches: int = 0
    mutual_yes: int = 0
    mutual_yes_rate: float | None = None
    median_chat_messages: float | None = None
    reports: int = 0


CSV_FIELDS = [item.name for item in fields(ReportRow)]


@dataclass
class _Tally:
    participants: set = field(default_factory=set)
    seated: int = 0
    sitouts: int = 0
    proposals: int = 0
    matches: int = 0
    mutual_yes: int = 0
    rooms: set = field(default_factory=set)
    reports: int = 0


@dataclass
class _Facts:
    """Everything the report counts, read in a fixed number of queries."""

    university_of: dict[int, int | None]
    seats: list[tuple[int, int, bool]]  # (round number, user, seated)
    pairs: list[dict]
    queue_proposals: dict[int, set[int]]
    queue_participants: set[int]
    checkins: set[int]
    matches: list[tuple[int, int, int | None, bool]]  # (user a, user b, room, from the queue)
    messages: Counter
    reports: list[tuple[int, int | None]]  # (room, reported user)


def _facts(event: Event) -> _Facts:
    pairs = list(
        RoundPair.objects.filter(event=event)
        .annotate(yeses=Count("seats", filter=Q(seats__answer="yes")))
        .values("round__number", "user_a_id", "user_b_id", "room_id", "match_id", "yeses")
    )
    seats = list(RoundSeat.objects.filter(round__event=event).values_list("round__number", "user_id", "pair_id"))
    proposals: dict[int, set[int]] = defaultdict(set)
    queue_participants: set[int] = set()
    for user_id, kind, proposal_id in TicketEvent.objects.filter(event=event).values_list("user_id", "kind", "proposal_id"):
        queue_participants.add(user_id)
        if kind == TicketEventKind.PROPOSED and proposal_id is not None:
            proposals[proposal_id].add(user_id)
    matches = [
        (a, b, room, proposal > 0)
        for a, b, room, proposal in Match.objects.filter(event=event).values_list(
            "user_a_id", "user_b_id", "room_id", "proposal_id"
        )
    ]
    room_ids = {pair["room_id"] for pair in pairs if pair["room_id"]} | {match[2] for match in matches if match[2]}
    messages = Counter(
        dict(Message.objects.filter(room_id__in=room_ids).values("room_id").annotate(n=Count("id")).values_list("room_id", "n"))
    )
    event_rooms = set(Room.objects.filter(event=event).values_list("pk", flat=True)) | room_ids
    checkins = set(CheckIn.objects.filter(event=event).values_list("user_id", flat=True))
    everyone = checkins | queue_participants | {seat[1] for seat in seats} | {u for a, b, _, _ in matches for u in (a, b)}
    return _Facts(
        university_of=dict(Profile.objects.filter(user_id__in=everyone).values_list("user_id", "university_id")),
        seats=[(number, user, pair is not None) for number, user, pair in seats],
        pairs=pairs,
        queue_proposals=dict(proposals),
        queue_participants=queue_participants,
        checkins=checkins,
        matches=matches,
        messages=messages,
        reports=list(Report.objects.filter(room_id__in=event_rooms).values_list("room_id", "reported_user_id")),
    )


def event_report(*, event: Event) -> list[ReportRow]:
    """The event's row, then one per round (none for a queue event), then one per university."""
    facts = _facts(event)
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    _count_participation(facts, tallies)
    _count_pairs(facts, tallies)
    _count_matches(facts, tallies)
    _count_reports(facts, tallies)
    names = {
        university.pk: str(university)
        for university in University.objects.filter(pk__in=set(facts.university_of.values()) - {None})
    }
    rows = [_row(("event", ""), tallies[("event", "")], facts, str(event.name))]
    rounds = sorted((key for key in tallies if key[0] == "round"), key=lambda key: int(key[1]))
    rows += [_row(key, tallies[key], facts, _("Round %(n)s") % {"n": key[1]}) for key in rounds]
    universities = sorted(
        (key for key in tallies if key[0] == "university"), key=lambda key: (-len(tallies[key].participants), key[1])
    )
    rows += [_row(key, tallies[key], facts, names.get(int(key[1]), _("Unknown"))) for key in universities if key[1]]
    return rows


def _scopes(facts: _Facts, *user_ids: int) -> list[tuple[str, str]]:
    """The event and each distinct university of these users (a pair within one university counts once)."""
    universities = {facts.university_of.get(user_id) for user_id in user_ids} - {None}
    return [("event", "")] + [("university", str(university)) for university in sorted(universities)]


def _count_participation(facts: _Facts, tallies: dict) -> None:
    for user_id in facts.checkins | facts.queue_participants | {seat[1] for seat in facts.seats}:
        for scope in _scopes(facts, user_id):
            tallies[scope].participants.add(user_id)
    for number, user_id, seated in facts.seats:
        for scope in [*_scopes(facts, user_id), ("round", str(number))]:
            tallies[scope].participants.add(user_id)
            if seated:
                tallies[scope].seated += 1
            else:
                tallies[scope].sitouts += 1


def _count_pairs(facts: _Facts, tallies: dict) -> None:
    for pair in facts.pairs:
        round_scope = ("round", str(pair["round__number"]))
        for scope in [*_scopes(facts, pair["user_a_id"], pair["user_b_id"]), round_scope]:
            tallies[scope].proposals += 1
            tallies[scope].mutual_yes += pair["yeses"] == 2
        tallies[round_scope].matches += pair["match_id"] is not None
        if pair["room_id"]:
            tallies[round_scope].rooms.add(pair["room_id"])
    for users in facts.queue_proposals.values():
        for scope in _scopes(facts, *users):
            tallies[scope].proposals += 1


def _count_matches(facts: _Facts, tallies: dict) -> None:
    for user_a, user_b, room_id, from_queue in facts.matches:
        for scope in _scopes(facts, user_a, user_b):
            tallies[scope].matches += 1
            tallies[scope].mutual_yes += from_queue
            if room_id:
                tallies[scope].rooms.add(room_id)


def _count_reports(facts: _Facts, tallies: dict) -> None:
    round_of_room = {pair["room_id"]: str(pair["round__number"]) for pair in facts.pairs if pair["room_id"]}
    for room_id, reported_id in facts.reports:
        tallies[("event", "")].reports += 1
        if room_id in round_of_room:
            tallies[("round", round_of_room[room_id])].reports += 1
        university = facts.university_of.get(reported_id) if reported_id else None
        if university is not None:
            tallies[("university", str(university))].reports += 1


def _row(key: tuple[str, str], tally: _Tally, facts: _Facts, label: str) -> ReportRow:
    lengths = [facts.messages.get(room_id, 0) for room_id in tally.rooms]
    return ReportRow(
        scope=key[0],
        key=key[1],
        label=label,
        participants=len(tally.participants),
        seated=tally.seated,
        sitouts=tally.sitouts,
        proposals=tally.proposals,
        matches=tally.matches,
        mutual_yes=tally.mutual_yes,
        mutual_yes_rate=round(tally.mutual_yes / tally.proposals, 4) if tally.proposals else None,
        median_chat_messages=float(median(lengths)) if lengths else None,
        reports=tally.reports,
    )


def report_dicts(*, event: Event) -> list[dict]:
    return [asdict(row) for row in event_report(event=event)]


class _Echo:
    """csv.writer writes into this and gets the line back, so each row streams as it is made."""

    def write(self, value: str) -> str:
        return value


def report_csv_lines(*, event: Event) -> Iterator[str]:
    """The report as CSV lines (UTF-8 with a byte-order mark, so spreadsheet apps read the Korean)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_FIELDS)
    for row in event_report(event=event):
        values = asdict(row)
        yield writer.writerow(["" if values[name] is None else values[name] for name in CSV_FIELDS])


def chart_data(rows: list[ReportRow]) -> dict:
    """What the report page's charts draw: rounds side by side, and the universities with most participants."""
    rounds = [row for row in rows if row.scope == "round"]
    universities = [row for row in rows if row.scope == "university"][:15]
    return {
        "rounds": {
            "labels": [row.label for row in rounds],
            "pairs": [row.proposals for row in rounds],
            "mutual": [row.mutual_yes for row in rounds],
            "sitouts": [row.sitouts for row in rounds],
        },
        "universities": {
            "labels": [row.label for row in universities],
            "participants": [row.participants for row in universities],
            "matches": [row.matches for row in universities],
        },
    }
