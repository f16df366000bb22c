"""The organizer console's writes: pause, resume, extend by a minute, skip to the break, end the event.

Every press names the round and the version the console showed. Under a lock on the event row
(then the round row) a press whose version is no longer the round's changes nothing and is
told what happened instead: two staff pressing at once do one thing. Every press, done or
refused, is written to the audit log (ConsoleAction, visible in the admin).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.core.redis import get_redis
from apps.core.task_queue import task_send_on_commit
from apps.events.models import Event, EventFormat, EventState, StateOverride
from apps.rounds import events, selectors, services
from apps.rounds.errors import ErrorCode
from apps.rounds.models import ConsoleAction, ConsoleActionKind, Round, RoundPhase, RoundSeat

EXTEND_BY = timedelta(minutes=1)


def console_require_staff(*, user_id: int, event_id: int) -> Event:
    """Staff only (checked against the database, not the socket's cached user), and a rounds event."""
    if not User.objects.filter(pk=user_id, is_staff=True, is_active=True).exists():
        raise DomainError(ErrorCode.FORBIDDEN, _("Only staff can use the organizer console."), http_status=403)
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise DomainError(ErrorCode.EVENT_NOT_FOUND, _("No such event."), http_status=404)
    if event.format != EventFormat.ROUNDS:
        raise DomainError(ErrorCode.NOT_ROUNDS_EVENT, _("This event has no rounds; join its queue instead."), http_status=404)
    return event


def console_snapshot(*, user_id: int, event_id: int) -> dict:
    """The console's state for a staff member who (re)subscribes; the clock publishes to the
    event's console while someone subscribed within CONSOLE_WATCH_TTL_S (the page renews it)."""
    event = console_require_staff(user_id=user_id, event_id=event_id)
    get_redis().set(selectors.CONSOLE_WATCHED_KEY.format(event_id=event_id), 1, ex=selectors.CONSOLE_WATCH_TTL_S)
    return events.console_state_frame(selectors.console_state(event=event))


@dataclass
class _Press:
    event: Event
    round: Round | None
    action: str
    now: datetime


def console_act(
    *, staff_id: int, event_id: int, action: str, round_id: int | None, version: int | None, now: datetime | None = None
) -> dict:
    """Carry out one console press once, or refuse it with a precise DomainError (nothing changes)."""
    if action not in ConsoleActionKind.values:
        raise DomainError(ErrorCode.INVALID_ACTION, _("Unknown console action."), field="action")
    console_require_staff(user_id=staff_id, event_id=event_id)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            press = _lock(event_id=event_id, action=action, now=now)
            before = _state_of(press)
            _check_expected(press, round_id=round_id, version=version)
            _TRANSITIONS[action](press)
            if press.round is not None:
                press.round.refresh_from_db()
            ConsoleAction.objects.create(
                event=press.event, round=press.round, staff_id=staff_id, action=action, before=before, after=_state_of(press)
            )
            events.console_state_send(
                event_id=event_id, frame=events.console_state_frame(selectors.console_state(event=press.event, now=now))
            )
    except DomainError as error:
        _log_refusal(event_id=event_id, staff_id=staff_id, action=action, round_id=round_id, code=error.code)
        raise
    return events.console_done_frame(event_id=event_id, action=action)


def _lock(*, event_id: int, action: str, now: datetime) -> _Press:
    """The event row first, then its current round: every console press of one event queues here."""
    event = Event.objects.select_for_update().get(pk=event_id)
    current = selectors.console_round(event_id=event_id)
    round_ = Round.objects.select_for_update().get(pk=current.pk) if current else None
    return _Press(event=event, round=round_, action=action, now=now)


def _state_of(press: _Press) -> dict:
    round_ = press.round
    state = {"event_state": press.event.state}
    if round_ is not None:
        state |= {
            "round": round_.number,
            "phase": round_.phase,
            "paused": round_.paused_at is not None,
            "version": round_.version,
            "ends_at": round_.talk_ends_at.isoformat(),
            "break_ends_at": round_.break_ends_at.isoformat(),
        }
    return state


def _check_expected(press: _Press, *, round_id: int | None, version: int | None) -> None:
    """The console's view must still be true: otherwise someone (or the clock) got there first."""
    latest = ConsoleAction.objects.filter(event=press.event, error="").first()
    same_press_done = latest is not None and latest.action == press.action
    if press.event.state == EventState.ENDED:
        if same_press_done and press.action == ConsoleActionKind.END:
            raise _already_done(press)
        raise DomainError(ErrorCode.EVENT_ENDED, _("This event has already ended; nothing changed."), http_status=409)
    current = press.round
    if current is None or (round_id is None and press.action == ConsoleActionKind.END):
        return
    if round_id != current.pk or version != current.version:
        if same_press_done and latest.round_id == current.pk:
            raise _already_done(press)
        if current.phase == RoundPhase.DONE and press.action != ConsoleActionKind.END:
            raise DomainError(ErrorCode.ROUND_ENDED, _("This round has already ended; nothing changed."), http_status=409)
        raise DomainError(
            ErrorCode.ALREADY_DONE,
            _("The round changed since your console last updated. Nothing changed; check the new state and press again."),
            http_status=409,
        )


def _already_done(press: _Press) -> DomainError:
    return DomainError(
        ErrorCode.ALREADY_DONE,
        _("Already done: another organizer pressed “%(action)s” a moment ago. Nothing changed.")
        % {"action": ConsoleActionKind(press.action).label},
        http_status=409,
    )


def _require_running(press: _Press) -> Round:
    round_ = press.round
    if round_ is None:
        raise DomainError(ErrorCode.NO_ROUND, _("No round has started yet."), http_status=409)
    if round_.phase == RoundPhase.DONE:
        raise DomainError(ErrorCode.ROUND_ENDED, _("This round has already ended; nothing changed."), http_status=409)
    return round_


def _pause(press: _Press) -> None:
    round_ = _require_running(press)
    if round_.paused_at is not None:
        raise DomainError(ErrorCode.ALREADY_PAUSED, _("The round is already paused."), http_status=409)
    deadline = round_.talk_ends_at if round_.phase == RoundPhase.TALKING else round_.break_ends_at
    if press.now >= deadline:
        message = _("Time is already up for this part of the round; nothing changed.")
        raise DomainError(ErrorCode.PAST_DEADLINE, message, http_status=409)
    round_.paused_at = press.now
    _save_and_tell(press, round_, change="paused")


def _resume(press: _Press) -> None:
    round_ = _require_running(press)
    if round_.paused_at is None:
        raise DomainError(ErrorCode.NOT_PAUSED, _("The round is not paused."), http_status=409)
    stood_still = press.now - round_.paused_at
    if round_.phase == RoundPhase.TALKING:
        round_.talk_ends_at += stood_still
    round_.break_ends_at += stood_still
    round_.paused_at = None
    _save_and_tell(press, round_, change="resumed")


def _extend(press: _Press) -> None:
    round_ = _require_running(press)
    if round_.phase != RoundPhase.TALKING:
        message = _("The talk is over; only a round being talked can be extended.")
        raise DomainError(ErrorCode.NOT_TALKING, message, http_status=409)
    if round_.paused_at is None and press.now >= round_.talk_ends_at:
        raise DomainError(ErrorCode.PAST_DEADLINE, _("The deadline has passed; nothing changed."), http_status=409)
    round_.talk_ends_at += EXTEND_BY
    round_.break_ends_at += EXTEND_BY
    _save_and_tell(press, round_, change="extended")


def _skip(press: _Press) -> None:
    """The talk ends now: the rooms turn read-only and the break (answers) starts in full."""
    round_ = _require_running(press)
    if round_.phase != RoundPhase.TALKING:
        raise DomainError(ErrorCode.NOT_TALKING, _("The round is already in its break."), http_status=409)
    _talk_ends_now(press, round_)
    task_send_on_commit("apps.rounds.tasks.round_finish", round_.pk, countdown=press.event.break_s)


def _end(press: _Press) -> None:
    """Close everything: a talk ends, answers given so far count, and the reveal follows the event's setting."""
    round_ = press.round
    press.event.state_override = StateOverride.ENDED
    press.event.save(update_fields=["state_override"])
    if round_ is None or round_.phase == RoundPhase.DONE:
        services.reveal_at_event_end(event=press.event)
        return
    if round_.phase == RoundPhase.TALKING:
        _talk_ends_now(press, round_)
    round_.paused_at = None
    round_.break_ends_at = max(press.now, round_.talk_ends_at + timedelta(milliseconds=1))
    round_.save(update_fields=["paused_at", "break_ends_at"])
    services.round_finish(round_id=round_.pk, now=round_.break_ends_at, event_over=True)


def _talk_ends_now(press: _Press, round_: Round) -> None:
    round_.paused_at = None
    round_.talk_ends_at = max(press.now, round_.started_at + timedelta(milliseconds=1))
    round_.break_ends_at = round_.talk_ends_at + timedelta(seconds=press.event.break_s)
    round_.save(update_fields=["paused_at", "talk_ends_at", "break_ends_at"])
    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)


def _save_and_tell(press: _Press, round_: Round, *, change: str) -> None:
    """Save the new clock, tell everyone of the round, and queue its next steps at the new times.

    Steps queued earlier arrive early and do nothing (each checks the round's clock); the beat's
    tick would catch up anyway, these keep the deadline to the second.
    """
    round_.version += 1
    round_.save(update_fields=["paused_at", "talk_ends_at", "break_ends_at", "version"])
    seats = list(RoundSeat.objects.filter(round=round_).values_list("user_id", "pair__room_id"))
    events.round_clock_changed(event=press.event, round_=round_, change=change, seats=seats)
    if round_.paused_at is not None:
        return
    if round_.phase == RoundPhase.TALKING:
        to_warning = (round_.talk_ends_at - press.now).total_seconds() - settings.ROUNDS_WARNING_S
        if to_warning > 0:
            task_send_on_commit("apps.rounds.tasks.round_warn", round_.pk, countdown=to_warning)
        task_send_on_commit("apps.rounds.tasks.round_talk_end", round_.pk, countdown=_seconds_until(round_.talk_ends_at, press))
    task_send_on_commit("apps.rounds.tasks.round_finish", round_.pk, countdown=_seconds_until(round_.break_ends_at, press))


def _seconds_until(moment: datetime, press: _Press) -> float:
    return max(0.0, (moment - press.now).total_seconds())


def _log_refusal(*, event_id: int, staff_id: int, action: str, round_id: int | None, code: str) -> None:
    """A refused press is audited too, outside the rolled-back transaction."""
    if not Event.objects.filter(pk=event_id).exists():
        return
    round_ = Round.objects.filter(pk=round_id, event_id=event_id).first() if round_id else None
    ConsoleAction.objects.create(
        event_id=event_id,
        round=round_,
        staff_id=staff_id,
        action=action,
        before=_state_of(_Press(event=Event.objects.get(pk=event_id), round=round_, action=action, now=timezone.now())),
        error=str(code),
    )


_TRANSITIONS = {
    ConsoleActionKind.PAUSE: _pause,
    ConsoleActionKind.RESUME: _resume,
    ConsoleActionKind.EXTEND: _extend,
    ConsoleActionKind.SKIP: _skip,
    ConsoleActionKind.END: _end,
}
