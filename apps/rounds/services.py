"""Writes of the rounds: check-in, each round's start, end of talk, answers and the reveal."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.chat.models import Room
from apps.chat.rooms import room_create_direct, rooms_announce_created, rooms_close, rooms_create_direct_many
from apps.core.errors import DomainError
from apps.core.task_queue import task_send
from apps.events.models import Event, EventState, RevealTiming
from apps.events.services import event_require, event_require_joinable
from apps.matching.models import Match
from apps.realtime import presence
from apps.rounds import events, selectors
from apps.rounds.errors import ErrorCode
from apps.rounds.models import Answer, CheckIn, Round, RoundPair, RoundPhase, RoundSeat
from apps.rounds.seating import seat_round

logger = logging.getLogger(__name__)


# Check-in ------------------------------------------------------------------------------------


def checkin(*, user: User, event_id: int) -> dict:
    """Press "참가": seated at the next round start while a socket is open (idempotent)."""
    event = event_require(event_id=event_id)
    problem = selectors.checkin_open_problem(event=event)
    if problem:
        raise DomainError(*problem, http_status=409)
    event_require_joinable(user=user, event_id=event_id)
    CheckIn.objects.get_or_create(event_id=event_id, user=user)
    return events.checked_in_frame(event=event, checked_in=True, next_due=selectors.next_round_due(event=event))


def checkin_leave(*, user_id: int, event_id: int) -> dict:
    """Leave the rounds: not seated again until the next "참가" (idempotent)."""
    event = event_require(event_id=event_id)
    CheckIn.objects.filter(event_id=event_id, user_id=user_id).delete()
    return events.checked_in_frame(event=event, checked_in=False, next_due=selectors.next_round_due(event=event))


# The event clock -----------------------------------------------------------------------------


def round_start(*, event_id: int, number: int, now: datetime | None = None) -> Round | None:
    """Seat round `number` exactly once: the Round row, its seats, pairs and rooms commit together.

    A second call (a retried task, a worker killed mid-way, two workers) hits the unique
    (event, number) and returns None; a killed worker's transaction rolls back whole, so the
    next clock tick starts the round from scratch.
    """
    event = Event.objects.get(pk=event_id)
    due = selectors.next_round_due(event=event)
    now = now or timezone.now()
    if due is None or due[0] != number or now < due[1] or selectors.round_unfinished(event_id=event_id):
        return None
    times = selectors.round_times(event=event, starts_at=now)
    present = selectors.present_checked_in_ids(event_id=event_id)
    seating = seat_round(
        selectors.seaters_build(event=event, user_ids=present),
        allow_same_university=event.allow_same_university,
        seed=event_id * 1000 + number,
    )
    cards = selectors.public_cards(user_ids=[user_id for pair in seating.pairs for user_id in pair])
    try:
        with transaction.atomic():
            round_ = Round.objects.create(
                event=event,
                number=number,
                started_at=times.started_at,
                talk_ends_at=times.talk_ends_at,
                break_ends_at=times.break_ends_at,
            )
            pairs, rooms = _seats_create(round_=round_, event=event, pairs=seating.pairs, sitouts=seating.sitouts)
            events.round_started(
                event=event,
                round_=round_,
                pairs=pairs,
                sitouts=seating.sitouts,
                cards=cards,
                seated_anyone=bool(pairs),
            )
            # The rooms join the chat lists after the round's own frames have gone out, and
            # their frames are built only then: 5,000 room summaries no longer hold back
            # the commit that the seated frames wait for.
            transaction.on_commit(partial(rooms_announce_created, rooms=rooms, user_id_pairs=seating.pairs), robust=True)
    except IntegrityError:
        logger.info("round %s of event %s was already started", number, event_id)
        return None
    return round_


_PAIRS_INSERT = """
INSERT INTO rounds_roundpair (round_id, event_id, user_a_id, user_b_id, room_id)
SELECT %s, %s, a, b, r FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS p(a, b, r) RETURNING id
"""
_SEATS_INSERT = """
INSERT INTO rounds_roundseat (round_id, user_id, pair_id, answer)
SELECT %s, u, p, '' FROM unnest(%s::bigint[], %s::bigint[]) AS s(u, p)
"""


def _seats_create(
    *, round_: Round, event: Event, pairs: list[tuple[int, int]], sitouts: list[int]
) -> tuple[list[RoundPair], list[Room]]:
    """The round's rooms, pairs and seats in four statements, whatever the crowd (5,000 students).

    Returns the pairs (ids only: related objects cost a descriptor call each) and their rooms."""
    rooms = rooms_create_direct_many(user_id_pairs=pairs, event_id=event.pk, contact_guard=True, announce=False)
    with connection.cursor() as cursor:
        cursor.execute(_PAIRS_INSERT, [round_.pk, event.pk, [a for a, _ in pairs], [b for _, b in pairs], [r.pk for r in rooms]])
        pair_ids = [row[0] for row in cursor.fetchall()]
        seats = [(user_id, pair_id) for (a, b), pair_id in zip(pairs, pair_ids, strict=True) for user_id in (a, b)]
        seats += [(user_id, None) for user_id in sitouts]
        cursor.execute(_SEATS_INSERT, [round_.pk, [u for u, _ in seats], [p for _, p in seats]])
    made = [
        RoundPair(pk=pair_id, round_id=round_.pk, event_id=event.pk, user_a_id=a, user_b_id=b, room_id=room.pk)
        for (a, b), pair_id, room in zip(pairs, pair_ids, rooms, strict=True)
    ]
    return made, rooms


def round_warn(*, round_id: int) -> int:
    """The 30-second warning to every seated pair (frames only; no state changes)."""
    round_ = Round.objects.get(pk=round_id)
    # A warning queued before a pause or an extension arrives early: the re-queued one follows.
    early = timezone.now() < round_.talk_ends_at - timedelta(seconds=settings.ROUNDS_WARNING_S + 1)
    if round_.phase != RoundPhase.TALKING or round_.paused_at is not None or early:
        return 0
    pairs = list(RoundPair.objects.filter(round=round_))
    events.round_warning(round_=round_, pairs=pairs)
    return len(pairs)


def round_talk_end(*, round_id: int, now: datetime | None = None) -> bool:
    """At the deadline: every room of the round turns read-only and the answering starts (once)."""
    now = now or timezone.now()
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_id)
        if round_.phase != RoundPhase.TALKING or now < round_.talk_ends_at or round_.paused_at is not None:
            return False
        round_.phase = RoundPhase.ANSWERING
        round_.version += 1
        round_.save(update_fields=["phase", "version"])
        pairs = list(RoundPair.objects.filter(round=round_))
        rooms_close(room_ids=[pair.room_id for pair in pairs if pair.room_id])
        events.round_talk_ended(round_=round_, pairs=pairs)
    return True


def round_finish(*, round_id: int, now: datetime | None = None, event_over: bool = False) -> bool:
    """When the break ends: answering closes (no answer is no) and mutual yeses are revealed (once).

    `event_over`: the organizer ended the event, so this round is the last one whatever its number.
    """
    now = now or timezone.now()
    with transaction.atomic():
        round_ = Round.objects.select_for_update().select_related("event").get(pk=round_id)
        if round_.phase != RoundPhase.ANSWERING or now < round_.break_ends_at or round_.paused_at is not None:
            return False
        round_.phase = RoundPhase.DONE
        round_.version += 1
        round_.save(update_fields=["phase", "version"])
        event = round_.event
        last = round_.number >= event.rounds_count or event_over
        if event.reveal == RevealTiming.EACH_ROUND:
            revealed = _reveal(event=event, rounds=[round_])
        elif last:
            revealed = _reveal(event=event, rounds=list(Round.objects.filter(event=event)))
        else:
            revealed = {}
        seated = set(RoundSeat.objects.filter(round=round_).values_list("user_id", flat=True))
        due = None if event_over else selectors.next_round_due(event=event)
        events.round_over(event=event, round_=round_, user_ids=seated, revealed=revealed, next_due=due)
    return True


def reveal_at_event_end(*, event: Event) -> dict[int, int]:
    """The organizer ended the event between rounds: an event that reveals at the end reveals now."""
    if event.reveal != RevealTiming.AT_END:
        return {}
    return _reveal(event=event, rounds=list(Round.objects.filter(event=event, phase=RoundPhase.DONE)))


def _reveal(*, event: Event, rounds: list[Round]) -> dict[int, int]:
    """Mutual yeses become Matches with a lasting 1:1 room; returns matches revealed per user.

    The match's `proposal_id` is the pair's id, negated: queue proposals are positive, so the
    two never collide, and a reveal run twice finds the match it made.
    """
    mutual = (
        RoundPair.objects.filter(round__in=rounds, match__isnull=True)
        .annotate(yeses=Count("seats", filter=Q(seats__answer=Answer.YES)))
        .filter(yeses=2)
    )
    counts: dict[int, int] = {}
    cards_needed = []
    made = []
    for pair in mutual.select_related("round"):
        room = room_create_direct(user_ids=(pair.user_a_id, pair.user_b_id), event_id=event.pk)
        match = Match.objects.create(
            event=event, proposal_id=-pair.pk, user_a_id=pair.user_a_id, user_b_id=pair.user_b_id, room=room
        )
        pair.match = match
        pair.save(update_fields=["match"])
        made.append(pair)
        cards_needed += [pair.user_a_id, pair.user_b_id]
        for user_id in (pair.user_a_id, pair.user_b_id):
            counts[user_id] = counts.get(user_id, 0) + 1
    events.matches_revealed(event=event, pairs=made, cards=selectors.public_cards(user_ids=cards_needed))
    return counts


@dataclass(frozen=True)
class ClockResult:
    finished: int
    talk_ended: int
    started: Round | None


def clock_tick(*, event_id: int, now: datetime | None = None) -> ClockResult:
    """Move one event's clock on: finish breaks, end talks, start the next round when due."""
    now = now or timezone.now()
    finished = talk_ended = 0
    for round_ in Round.objects.filter(event_id=event_id, phase__in=[RoundPhase.TALKING, RoundPhase.ANSWERING]):
        if round_.phase == RoundPhase.ANSWERING and now >= round_.break_ends_at:
            finished += round_finish(round_id=round_.pk, now=now)
        elif round_.phase == RoundPhase.TALKING and now >= round_.talk_ends_at:
            talk_ended += round_talk_end(round_id=round_.pk, now=now)
    event = Event.objects.get(pk=event_id)
    due = selectors.next_round_due(event=event)
    started = None
    if due is not None and now >= due[1] and event.state != EventState.ENDED:
        started = round_start(event_id=event_id, number=due[0], now=now)
    # A watched organizer console follows the clock at the beat's pace (its countdown runs in the page).
    if selectors.console_watched(event_id=event_id):
        events.console_state_send(event_id=event_id, frame=events.console_state_frame(selectors.console_state(event=event)))
    return ClockResult(finished=finished, talk_ended=talk_ended, started=started)


# In the room ---------------------------------------------------------------------------------


def round_answer(*, user_id: int, round_id: int, answer: str, now: datetime | None = None) -> dict:
    """Record "다시 만나고 싶어요" (yes) or "괜찮아요" (no), once, between the deadline and the break's end."""
    if answer not in Answer.values:
        raise DomainError(ErrorCode.INVALID_ANSWER, _("Answer 'yes' or 'no'."), field="answer")
    now = now or timezone.now()
    with transaction.atomic():
        seat = selectors.seat_for_update(round_id=round_id, user_id=user_id)
        if seat is None or seat.pair_id is None:
            raise DomainError(ErrorCode.NOT_SEATED, _("You were not seated in this round."), http_status=404)
        round_ = seat.round
        if round_.phase == RoundPhase.TALKING and now < round_.talk_ends_at:
            raise DomainError(ErrorCode.ROUND_NOT_OVER, _("You can answer when the round's time is up."), http_status=409)
        if round_.phase == RoundPhase.DONE or now >= round_.break_ends_at:
            raise DomainError(ErrorCode.ANSWER_CLOSED, _("The break is over; answers are closed."), http_status=409)
        if seat.answer:
            raise DomainError(ErrorCode.ALREADY_ANSWERED, _("You already answered for this round."), http_status=409)
        seat.answer = answer
        seat.answered_at = now
        seat.save(update_fields=["answer", "answered_at"])
    return events.answered_frame(round_id=round_id, answer=answer)


def seated_socket_closed(*, user_id: int, channel_name: str) -> bool:
    """A seated student's last socket closed mid-round: look again after a grace period.

    Going from the lobby to the round's chat closes one page's socket before the next one
    opens; only a student still away after ROUNDS_DISCONNECT_GRACE_S is reported.
    """
    if presence.user_has_other_live_socket(user_id=user_id, channel_name=channel_name):
        return False
    seat = selectors.talking_seat(user_id=user_id)
    if seat is None:
        return False
    task_send("apps.rounds.tasks.round_seat_check", user_id, seat.round_id, countdown=settings.ROUNDS_DISCONNECT_GRACE_S)
    return True


def seated_user_away(*, user_id: int, round_id: int) -> bool:
    """Tell the partner when the student is still away from a round being talked (the room waits for its deadline)."""
    if presence.user_is_online(user_id=user_id):
        return False
    seat = selectors.talking_seat(user_id=user_id)
    if seat is None or seat.round_id != round_id:
        return False
    pair = seat.pair
    partner_id = pair.user_b_id if pair.user_a_id == user_id else pair.user_a_id
    events.partner_left(round_=seat.round, room_id=pair.room_id, partner_id=partner_id)
    return True
