"""The only place that builds round frames and hands them to the realtime layer (after commit)."""

from datetime import datetime

from django.utils import timezone

from apps.events.models import Event
from apps.realtime.events import send_many, send_to_groups
from apps.realtime.protocol import user_group
from apps.rounds.models import Round, RoundPair, RoundSeat
from apps.rounds.protocol import (
    ConsoleDoneFrame,
    ConsoleStateFrame,
    RoundAnsweredFrame,
    RoundCheckedInFrame,
    RoundClockFrame,
    RoundMatchFrame,
    RoundOverFrame,
    RoundPartnerLeftFrame,
    RoundSeatedFrame,
    RoundSitoutFrame,
    RoundStateFrame,
    RoundTalkEndedFrame,
    RoundWarningFrame,
    console_group,
)


def _now() -> str:
    return timezone.now().isoformat()


def _send(frames: list[tuple[int, dict]]) -> None:
    send_many(([user_group(user_id)], frame) for user_id, frame in frames)


def checked_in_frame(*, event: Event, checked_in: bool, next_due: tuple[int, datetime] | None) -> RoundCheckedInFrame:
    """The answer to `round.checkin` / `round.leave` (sent by the consumer to the asking socket)."""
    return {
        "type": "round.checked_in",
        "event": event.pk,
        "checked_in": checked_in,
        "next_round": next_due[0] if next_due else None,
        "next_round_at": next_due[1].isoformat() if next_due else None,
        "server_time": _now(),
    }


def state_frame(
    *,
    event: Event,
    checked_in: bool,
    seat: RoundSeat | None,
    user_id: int,
    partner_card: dict | None,
    next_due: tuple[int, datetime] | None,
) -> RoundStateFrame:
    """The answer to `round.sync` (sent by the consumer to the asking socket)."""
    round_ = seat.round if seat else None
    pair = seat.pair if seat else None
    return {
        "type": "round.state",
        "event": event.pk,
        "checked_in": checked_in,
        "round": round_.pk if round_ else None,
        "number": round_.number if round_ else None,
        "rounds_count": event.rounds_count,
        "phase": round_.phase if round_ else None,
        "seat": "none" if seat is None else ("seated" if pair else "sitout"),
        "room": pair.room_id if pair else None,
        "partner": partner_card,
        "ends_at": round_.talk_ends_at.isoformat() if round_ else None,
        "break_ends_at": round_.break_ends_at.isoformat() if round_ else None,
        "answer": seat.answer if seat else "",
        "match_room": pair.match.room_id if pair and pair.match_id else None,
        "next_round_at": next_due[1].isoformat() if next_due else None,
        "paused": bool(round_ and round_.paused_at),
        "server_time": _now(),
    }


def round_started(
    *, event: Event, round_: Round, pairs: list[RoundPair], sitouts: list[int], cards: dict[int, dict], seated_anyone: bool
) -> None:
    """`round.seated` to both of each pair, `round.sitout` to everyone else (they go first next round)."""
    server_time = _now()
    started_at, ends_at, break_ends_at = (at.isoformat() for at in (round_.started_at, round_.talk_ends_at, round_.break_ends_at))
    frames: list[tuple[int, dict]] = []
    for pair in pairs:
        for user_id, partner_id in ((pair.user_a_id, pair.user_b_id), (pair.user_b_id, pair.user_a_id)):
            seated: RoundSeatedFrame = {
                "type": "round.seated",
                "event": event.pk,
                "round": round_.pk,
                "number": round_.number,
                "rounds_count": event.rounds_count,
                "room": pair.room_id,
                "partner": cards[partner_id],
                "started_at": started_at,
                "ends_at": ends_at,
                "break_ends_at": break_ends_at,
                "server_time": server_time,
            }
            frames.append((user_id, seated))
    last_round = round_.number >= event.rounds_count
    next_round_at = None if last_round else break_ends_at
    for user_id in sitouts:
        sitout: RoundSitoutFrame = {
            "type": "round.sitout",
            "event": event.pk,
            "round": round_.pk,
            "number": round_.number,
            "reason": "uneven" if seated_anyone else "no_compatible_partner",
            "first_next_round": not last_round,
            "next_round_at": next_round_at,
            "server_time": server_time,
        }
        frames.append((user_id, sitout))
    _send(frames)


def round_warning(*, round_: Round, pairs: list[RoundPair]) -> None:
    server_time = _now()
    frames: list[tuple[int, dict]] = []
    for pair in pairs:
        frame: RoundWarningFrame = {
            "type": "round.warning",
            "round": round_.pk,
            "number": round_.number,
            "room": pair.room_id,
            "ends_at": round_.talk_ends_at.isoformat(),
            "server_time": server_time,
        }
        frames += [(pair.user_a_id, frame), (pair.user_b_id, frame)]
    _send(frames)


def round_talk_ended(*, round_: Round, pairs: list[RoundPair]) -> None:
    server_time = _now()
    frames: list[tuple[int, dict]] = []
    for pair in pairs:
        frame: RoundTalkEndedFrame = {
            "type": "round.talk_ended",
            "round": round_.pk,
            "room": pair.room_id,
            "answer_until": round_.break_ends_at.isoformat(),
            "server_time": server_time,
        }
        frames += [(pair.user_a_id, frame), (pair.user_b_id, frame)]
    _send(frames)


def answered_frame(*, round_id: int, answer: str) -> RoundAnsweredFrame:
    return {"type": "round.answered", "round": round_id, "answer": answer}


def partner_left(*, round_: Round, room_id: int, partner_id: int) -> None:
    frame: RoundPartnerLeftFrame = {"type": "round.partner_left", "round": round_.pk, "room": room_id}
    _send([(partner_id, frame)])


def matches_revealed(*, event: Event, pairs: list[RoundPair], cards: dict[int, dict]) -> None:
    """`round.match` to both of a mutual yes, and to nobody else: a one-sided yes is never shown."""
    frames: list[tuple[int, dict]] = []
    for pair in pairs:
        for user_id, partner_id in ((pair.user_a_id, pair.user_b_id), (pair.user_b_id, pair.user_a_id)):
            frame: RoundMatchFrame = {
                "type": "round.match",
                "event": event.pk,
                "round": pair.round_id,
                "number": pair.round.number,
                "match": pair.match_id,
                "room": pair.match.room_id,
                "partner": cards[partner_id],
            }
            frames.append((user_id, frame))
    _send(frames)


def round_over(
    *, event: Event, round_: Round, user_ids: set[int], revealed: dict[int, int], next_due: tuple[int, datetime] | None
) -> None:
    frames: list[tuple[int, dict]] = []
    for user_id in sorted(user_ids):
        frame: RoundOverFrame = {
            "type": "round.over",
            "event": event.pk,
            "round": round_.pk,
            "number": round_.number,
            "matches": revealed.get(user_id, 0),
            "next_round_at": next_due[1].isoformat() if next_due else None,
        }
        frames.append((user_id, frame))
    _send(frames)


# The organizer console ------------------------------------------------------------------------


def round_clock_changed(*, event: Event, round_: Round, change: str, seats: list[tuple[int, int | None]]) -> None:
    """`round.clock` to everyone of the round (seated with their room, sit-outs with none)."""
    server_time = _now()
    frames: list[tuple[int, dict]] = []
    for user_id, room_id in seats:
        frame: RoundClockFrame = {
            "type": "round.clock",
            "event": event.pk,
            "round": round_.pk,
            "number": round_.number,
            "room": room_id,
            "phase": round_.phase,
            "change": change,
            "paused": round_.paused_at is not None,
            "ends_at": round_.talk_ends_at.isoformat(),
            "break_ends_at": round_.break_ends_at.isoformat(),
            "server_time": server_time,
        }
        frames.append((user_id, frame))
    _send(frames)


def console_state_frame(state: dict) -> ConsoleStateFrame:
    """`state` comes from selectors.console_state; the frame adds the server's clock."""
    return {"type": "console.state", **state, "server_time": _now()}


def console_state_send(*, event_id: int, frame: ConsoleStateFrame) -> None:
    send_to_groups([console_group(event_id)], frame)


def console_done_frame(*, event_id: int, action: str) -> ConsoleDoneFrame:
    return {"type": "console.done", "event": event_id, "action": action}
