from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.core.redis import get_redis
from apps.events import events
from apps.events.errors import ErrorCode
from apps.events.models import Event
from apps.events.selectors import event_get, event_join_problems, lobby_counts
from apps.realtime import presence
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric

LAST_COUNTS_KEY = "lobby:{event_id}:last_counts"


def event_require(*, event_id: int) -> Event:
    event = event_get(event_id=event_id)
    if event is None:
        raise DomainError(ErrorCode.EVENT_NOT_FOUND, _("No such event."), http_status=404)
    return event


def event_require_joinable(*, user: User, event_id: int) -> Event:
    """Return the event when the user may take part now; raise the first reason otherwise."""
    event = event_require(event_id=event_id)
    problems = event_join_problems(user=user, event=event)
    if problems:
        code, message = problems[0]
        raise DomainError(code, message, http_status=403)
    return event


def lobby_presence_touch(*, user_id: int, event_id: int) -> None:
    """Count the user as present in the event lobby for the next PRESENCE_TTL_S seconds."""
    added = presence.lease_enter(presence.lobby_scope(event_id), user_id)
    metrics.online_touch(user_id=user_id, event_id=event_id)
    if added:
        metrics.metric_incr(Metric.LOBBY_ENTERS, event_id=event_id, user_id=user_id)


def lobby_presence_leave(*, user_id: int, event_id: int) -> None:
    presence.lease_leave(presence.lobby_scope(event_id), user_id)
    metrics.online_leave(user_id=user_id, event_id=event_id)


def lobby_counts_broadcast(*, event_id: int) -> bool:
    """Push the lobby's counts to everyone in it when they changed; True when sent.

    One frame per event per interval, whatever the number of viewers.
    """
    counts = lobby_counts(event_id=event_id)
    encoded = ",".join(f"{key}={value}" for key, value in sorted(counts.items()))
    previous = get_redis().set(LAST_COUNTS_KEY.format(event_id=event_id), encoded, ex=60, get=True)
    if previous == encoded:
        return False
    events.lobby_counts(event_id=event_id, counts=counts)
    return True
