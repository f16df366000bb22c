from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.identity import user_identity_verified
from apps.accounts.models import User
from apps.accounts.selectors import profile_for_user, user_social_access_problem
from apps.events.errors import ErrorCode
from apps.events.models import Event, EventState, StateOverride
from apps.policies.selectors import consent_problem
from apps.realtime import presence


def event_list_visible() -> list[Event]:
    """Live events first, then upcoming ones by start time; ended events are left out."""
    now = timezone.now()
    events = (
        Event.objects.filter(Q(ends_at__gt=now) | Q(state_override=StateOverride.LIVE))
        .exclude(state_override=StateOverride.ENDED)
        .prefetch_related("universities")
    )
    return sorted(events, key=lambda event: (event.state != EventState.LIVE, event.starts_at))


def event_live_list() -> list[Event]:
    return [event for event in event_list_visible() if event.is_live]


def event_get(*, event_id: int) -> Event | None:
    return Event.objects.prefetch_related("universities").filter(pk=event_id).first()


def event_join_problems(*, user: User, event: Event) -> list[tuple[str, str]]:
    """Every reason why the user may not take part in the event now, as (code, message)."""
    problems: list[tuple[str, str]] = []
    if event.state == EventState.SCHEDULED:
        problems.append((ErrorCode.EVENT_NOT_LIVE, _("The event has not started yet.")))
    elif event.state == EventState.ENDED:
        problems.append((ErrorCode.EVENT_NOT_LIVE, _("The event has ended.")))
    access_problem = user_social_access_problem(user=user) or consent_problem(user_id=user.pk)
    if access_problem is not None:
        problems.append(access_problem)
        return problems
    profile = profile_for_user(user=user)
    if event.require_identity and not user_identity_verified(user_id=user.pk):
        problems.append((ErrorCode.IDENTITY_REQUIRED, _("This event is for students who passed the identity check.")))
    if event.require_verified and not profile.is_university_verified:
        problems.append((ErrorCode.VERIFICATION_REQUIRED, _("This event is for students with a verified university e-mail.")))
    if not event.nationwide:
        allowed_university_ids = {university.pk for university in event.universities.all()}
        allowed_regions = set(event.region_list())
        in_scope = profile.university_id in allowed_university_ids or profile.region in allowed_regions
        if not in_scope:
            problems.append((ErrorCode.OUT_OF_SCOPE, _("This event is not open to your university or region.")))
    already_inside = presence.lease_known(presence.lobby_scope(event.pk), user.pk)
    if event.capacity is not None and not already_inside and lobby_online_count(event_id=event.pk) >= event.capacity:
        problems.append((ErrorCode.EVENT_FULL, _("The event is full right now. Try again in a moment.")))
    return problems


def lobby_online_count(*, event_id: int) -> int:
    return presence.lease_count(presence.lobby_scope(event_id))


# Feature apps add their own lobby figures (e.g. matching's queue sizes) from AppConfig.ready().
lobby_count_providers: list[Callable[..., dict[str, int]]] = []


def lobby_counts(*, event_id: int) -> dict[str, int]:
    counts = {"online": lobby_online_count(event_id=event_id)}
    for provider in lobby_count_providers:
        counts.update(provider(event_id=event_id))
    return counts


def event_by_slug(*, slug: str) -> Event | None:
    return Event.objects.prefetch_related("universities").filter(slug=slug).first()


def event_list_upcoming(*, limit: int = 5) -> list[Event]:
    return [event for event in event_list_visible() if event.state == EventState.SCHEDULED][:limit]
