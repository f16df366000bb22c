"""Reads of the rounds: the event clock, who is present, and what seating needs."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from apps.accounts.models import Profile
from apps.accounts.selectors import profile_public_cards_unviewed
from apps.core.db import ids_in
from apps.core.errors import DomainError
from apps.core.redis import get_redis
from apps.events.models import Event, EventFormat, EventState
from apps.moderation.selectors import blocks_among, hidden_user_ids
from apps.realtime import presence
from apps.rounds import events
from apps.rounds.errors import ErrorCode
from apps.rounds.models import CheckIn, ConsoleAction, Round, RoundPair, RoundPhase, RoundSeat
from apps.rounds.seating import Seater


@dataclass(frozen=True)
class RoundTimes:
    started_at: datetime
    talk_ends_at: datetime
    break_ends_at: datetime


def round_times(*, event: Event, starts_at: datetime) -> RoundTimes:
    talk_ends_at = starts_at + timedelta(minutes=event.round_minutes)
    return RoundTimes(starts_at, talk_ends_at, talk_ends_at + timedelta(seconds=event.break_s))


def round_latest(*, event_id: int) -> Round | None:
    return Round.objects.filter(event_id=event_id).order_by("-number").first()


def round_unfinished(*, event_id: int) -> bool:
    """A round still talking or answering: the next one waits for its reveal, whatever the clock says."""
    return Round.objects.filter(event_id=event_id, phase__in=[RoundPhase.TALKING, RoundPhase.ANSWERING]).exists()


def next_round_due(*, event: Event) -> tuple[int, datetime] | None:
    """(number, start) of the next round by the event clock, or None when all rounds were played.

    Round 1 starts when the check-in window closes; each next one when the previous break ends.
    """
    latest = round_latest(event_id=event.pk)
    if latest is None:
        return 1, event.starts_at + timedelta(seconds=event.checkin_window_s)
    if latest.number >= event.rounds_count:
        return None
    return latest.number + 1, latest.break_ends_at


def rounds_events_running() -> list[Event]:
    """Rounds-format events whose clock still has work: live by time or override, or a round not done."""
    candidates = Event.objects.filter(format=EventFormat.ROUNDS).filter(
        Q(state_override="live") | Q(starts_at__lte=timezone.now(), ends_at__gt=timezone.now())
    )
    unfinished = Event.objects.filter(format=EventFormat.ROUNDS, rounds__phase__in=[RoundPhase.TALKING, RoundPhase.ANSWERING])
    return list((candidates | unfinished).exclude(state_override="ended").distinct())


def checkin_open_problem(*, event: Event) -> tuple[str, str] | None:
    """Why nobody may check in right now, or None: ended events, and rounds under way refuse."""
    from django.utils.translation import gettext as _

    if event.format != EventFormat.ROUNDS:
        return ErrorCode.NOT_ROUNDS_EVENT, _("This event has no rounds; join its queue instead.")
    if event.state == EventState.ENDED or next_round_due(event=event) is None:
        return ErrorCode.EVENT_ENDED, _("This event has ended.")
    if event.state == EventState.SCHEDULED:
        return ErrorCode.CHECKIN_NOT_OPEN, _("Check-in opens when the event starts.")
    latest = round_latest(event_id=event.pk)
    if latest is not None and latest.phase == RoundPhase.TALKING:
        return ErrorCode.ROUND_IN_PROGRESS, _("A round is under way; check in during the break.")
    return None


def present_checked_in_ids(*, event_id: int) -> list[int]:
    """Checked in, with a live socket, and not hidden by moderation: who a round start seats."""
    user_ids = list(CheckIn.objects.filter(event_id=event_id).values_list("user_id", flat=True).order_by("user_id"))
    live = presence.users_live(user_ids=user_ids)
    hidden = hidden_user_ids()
    return [user_id for user_id, online in zip(user_ids, live, strict=True) if online and user_id not in hidden]


def seaters_build(*, event: Event, user_ids: list[int]) -> list[Seater]:
    """Everything the engine needs, in a handful of queries whatever the crowd."""
    profiles = Profile.objects.filter(user_id__in=ids_in(user_ids)).values_list("user_id", "gender", "seeking", "university_id")
    excluded: dict[int, set[int]] = defaultdict(set)
    for blocker, blocked in blocks_among(user_ids=user_ids):
        excluded[blocker].add(blocked)
        excluded[blocked].add(blocker)
    for a, b in RoundPair.objects.filter(event_id=event.pk).values_list("user_a_id", "user_b_id"):
        excluded[a].add(b)
        excluded[b].add(a)
    sitouts = dict(
        RoundSeat.objects.filter(round__event_id=event.pk, pair__isnull=True, user_id__in=ids_in(user_ids))
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    latest = round_latest(event_id=event.pk)
    last_sitouts = (
        set(RoundSeat.objects.filter(round=latest, pair__isnull=True).values_list("user_id", flat=True)) if latest else set()
    )
    return [
        Seater(
            user_id=user_id,
            gender=gender,
            seeking=seeking,
            university_id=university_id,
            sitouts=sitouts.get(user_id, 0),
            sat_out_last=user_id in last_sitouts,
            excluded=frozenset(excluded.get(user_id, ())),
        )
        for user_id, gender, seeking, university_id in profiles
    ]


def public_cards(*, user_ids: list[int]) -> dict[int, dict]:
    return profile_public_cards_unviewed(user_ids=user_ids)


def seat_for_update(*, round_id: int, user_id: int) -> RoundSeat | None:
    """The seat, locked, with its round held FOR SHARE: answers run side by side, while the
    break's end (FOR UPDATE on the round) waits for them and they wait for it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM rounds_round WHERE id = %s FOR SHARE", [round_id])
    return (
        RoundSeat.objects.select_for_update(of=("self",))
        .select_related("round", "pair")
        .filter(round_id=round_id, user_id=user_id)
        .first()
    )


def talking_seat(*, user_id: int) -> RoundSeat | None:
    """The user's seat in a round being talked right now, if any (for a disconnect)."""
    return (
        RoundSeat.objects.select_related("pair", "round")
        .filter(user_id=user_id, pair__isnull=False, round__phase=RoundPhase.TALKING)
        .order_by("-round__started_at")
        .first()
    )


def round_state(*, user_id: int, event_id: int | None = None, room_id: int | None = None) -> dict:
    """What the lobby panel (by event) or a round's room (by room) shows after a (re)connect."""
    from django.utils.translation import gettext as _

    seat = None
    if room_id is not None:
        seat = RoundSeat.objects.select_related("round__event", "pair").filter(user_id=user_id, pair__room_id=room_id).first()
        if seat is None:
            raise DomainError(ErrorCode.NOT_ROUND_ROOM, _("This chat is not a round of yours."), http_status=404)
        event = seat.round.event
    else:
        event = Event.objects.filter(pk=event_id, format=EventFormat.ROUNDS).first()
        if event is None:
            raise DomainError(ErrorCode.NOT_ROUNDS_EVENT, _("This event has no rounds; join its queue instead."), http_status=404)
        latest = round_latest(event_id=event.pk)
        seat = RoundSeat.objects.select_related("round", "pair").filter(round=latest, user_id=user_id).first() if latest else None
    return events.state_frame(
        event=event,
        checked_in=CheckIn.objects.filter(event=event, user_id=user_id).exists(),
        seat=seat,
        user_id=user_id,
        partner_card=_partner_card(seat=seat, user_id=user_id),
        next_due=next_round_due(event=event),
    )


def _partner_card(*, seat: RoundSeat | None, user_id: int) -> dict | None:
    if seat is None or seat.pair is None:
        return None
    partner_id = seat.pair.user_b_id if seat.pair.user_a_id == user_id else seat.pair.user_a_id
    return public_cards(user_ids=[partner_id]).get(partner_id)


# The organizer console ------------------------------------------------------------------------

CONSOLE_LOG_SIZE = 8
# The clock computes an event's console state only while a console watches it: the page
# subscribes again every 20 s, well within this.
CONSOLE_WATCH_TTL_S = 60
CONSOLE_WATCHED_KEY = "rounds:console:{event_id}:watched"


def console_watched(*, event_id: int) -> bool:
    return bool(get_redis().exists(CONSOLE_WATCHED_KEY.format(event_id=event_id)))


def console_round(*, event_id: int) -> Round | None:
    """The round the console acts on: the one still talking or answering, else the latest."""
    unfinished = Round.objects.filter(event_id=event_id, phase__in=[RoundPhase.TALKING, RoundPhase.ANSWERING])
    return unfinished.order_by("-number").first() or round_latest(event_id=event_id)


def console_allowed(*, event: Event, round_: Round | None, now: datetime) -> list[str]:
    """The buttons that would do something right now (the services check again under a lock)."""
    if event.state == EventState.ENDED:
        return []
    allowed = ["end"]
    if round_ is None or round_.phase == RoundPhase.DONE:
        return allowed
    deadline = round_.talk_ends_at if round_.phase == RoundPhase.TALKING else round_.break_ends_at
    if round_.paused_at is not None:
        allowed.append("resume")
    elif now < deadline:
        allowed.append("pause")
    if round_.phase == RoundPhase.TALKING:
        if round_.paused_at is not None or now < round_.talk_ends_at:
            allowed.append("extend")
        allowed.append("skip")
    return allowed


def console_state(*, event: Event, now: datetime | None = None) -> dict:
    """What the organizer console shows: check-ins by gender, the round and its clock, the last yes rate."""
    now = now or timezone.now()
    by_gender = dict(
        CheckIn.objects.filter(event=event)
        .values("user__profile__gender")
        .annotate(n=Count("id"))
        .values_list("user__profile__gender", "n")
    )
    round_ = console_round(event_id=event.pk)
    due = next_round_due(event=event)
    last_done = Round.objects.filter(event=event, phase=RoundPhase.DONE).order_by("-number").first()
    yes_rate, mutual_rate = round_yes_rates(round_=last_done) if last_done else (None, None)
    return {
        "event": event.pk,
        "state": event.state,
        "rounds_count": event.rounds_count,
        "checked_in": {"M": by_gender.get("M", 0), "F": by_gender.get("F", 0), "total": sum(by_gender.values())},
        "present": len(present_checked_in_ids(event_id=event.pk)),
        "round": _console_round_row(round_) if round_ else None,
        "next_round": due[0] if due and event.state != EventState.ENDED else None,
        "next_round_at": due[1].isoformat() if due and event.state != EventState.ENDED else None,
        "last_yes_rate": yes_rate,
        "last_mutual_rate": mutual_rate,
        "allowed": console_allowed(event=event, round_=round_, now=now),
        "log": console_log(event_id=event.pk),
    }


def _console_round_row(round_: Round) -> dict:
    counts = RoundSeat.objects.filter(round=round_).aggregate(
        seated=Count("id", filter=Q(pair__isnull=False)), sitouts=Count("id", filter=Q(pair__isnull=True))
    )
    return {
        "id": round_.pk,
        "number": round_.number,
        "phase": round_.phase,
        "paused": round_.paused_at is not None,
        "version": round_.version,
        "started_at": round_.started_at.isoformat(),
        "ends_at": round_.talk_ends_at.isoformat(),
        "break_ends_at": round_.break_ends_at.isoformat(),
        "pairs": counts["seated"] // 2,
        "sitouts": counts["sitouts"],
    }


def round_yes_rates(*, round_: Round) -> tuple[float | None, float | None]:
    """(yes answers over seated students, mutual-yes pairs over pairs) of one round; None without seats."""
    seats = RoundSeat.objects.filter(round=round_, pair__isnull=False)
    seated = seats.count()
    if not seated:
        return None, None
    yeses = seats.filter(answer="yes").count()
    pairs = RoundPair.objects.filter(round=round_)
    mutual = pairs.annotate(y=Count("seats", filter=Q(seats__answer="yes"))).filter(y=2).count()
    return round(yeses / seated, 4), round(mutual / pairs.count(), 4)


def console_log(*, event_id: int) -> list[dict]:
    rows = ConsoleAction.objects.filter(event_id=event_id).select_related("staff__profile")[:CONSOLE_LOG_SIZE]
    return [{"at": row.at.isoformat(), "staff": _staff_name(row.staff), "action": row.action, "error": row.error} for row in rows]


def _staff_name(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.nickname if profile else user.get_username()


def lobby_round_counts(*, event_id: int) -> dict[str, int]:
    """The lobby's counts of a rounds event (a lobby count provider): check-ins by gender and the round under way.

    Queue events get none: their lobby shows the queue's counts."""
    if not Event.objects.filter(pk=event_id, format=EventFormat.ROUNDS).exists():
        return {}
    by_gender = dict(
        CheckIn.objects.filter(event_id=event_id)
        .values("user__profile__gender")
        .annotate(n=Count("id"))
        .values_list("user__profile__gender", "n")
    )
    latest = Round.objects.filter(event_id=event_id).order_by("-number").values_list("number", flat=True).first()
    return {"checked_in_M": by_gender.get("M", 0), "checked_in_F": by_gender.get("F", 0), "round": latest or 0}
