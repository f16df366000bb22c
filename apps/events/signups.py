"""Advance sign-ups: places, an ordered waitlist promoted on cancel, and who signed up.

Every write locks the event row first, so the count of confirmed places and the waitlist
order are decided one request at a time; one active sign-up per user and event is a
database constraint.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import University, User
from apps.core.errors import DomainError
from apps.events import notifications
from apps.events.errors import ErrorCode
from apps.events.models import Event, EventSignup, EventState, SignupStatus
from apps.events.selectors import event_join_problems

logger = logging.getLogger(__name__)

# Reasons to refuse joining a live event that do not apply to signing up in advance.
_LIVE_ONLY_PROBLEMS = {"event_not_live", "event_full"}


@dataclass(frozen=True)
class SignupSummary:
    confirmed: int
    waitlisted: int
    places_left: int | None


def signup_summary(*, event: Event) -> SignupSummary:
    counts = event.signups.aggregate(
        confirmed=Count("pk", filter=Q(status=SignupStatus.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=SignupStatus.WAITLISTED)),
    )
    places_left = None if event.signup_capacity is None else max(event.signup_capacity - counts["confirmed"], 0)
    return SignupSummary(confirmed=counts["confirmed"], waitlisted=counts["waitlisted"], places_left=places_left)


def signup_active_for_user(*, user: User, event: Event) -> EventSignup | None:
    if not user.is_authenticated:
        return None
    return EventSignup.objects.filter(event=event, user=user).exclude(status=SignupStatus.CANCELLED).first()


def waitlist_position(*, signup: EventSignup) -> int | None:
    """1 for the first person on the waitlist; None when the sign-up is not waitlisted."""
    if signup.status != SignupStatus.WAITLISTED:
        return None
    ahead = EventSignup.objects.filter(event_id=signup.event_id, status=SignupStatus.WAITLISTED).filter(
        Q(waitlisted_at__lt=signup.waitlisted_at) | Q(waitlisted_at=signup.waitlisted_at, pk__lt=signup.pk)
    )
    return ahead.count() + 1


def signups_upcoming_for_user(*, user: User) -> list[EventSignup]:
    """The user's active sign-ups for events that have not ended, soonest first."""
    signups = (
        EventSignup.objects.filter(user=user, event__ends_at__gt=timezone.now())
        .exclude(status=SignupStatus.CANCELLED)
        .exclude(event__state_override="ended")
        .select_related("event")
        .order_by("event__starts_at")
    )
    result = list(signups)
    for signup in result:
        signup.position = waitlist_position(signup=signup)
    return result


def signup_breakdown(*, event_id: int) -> dict:
    """Active sign-ups by status, gender and university, for staff."""
    rows = (
        EventSignup.objects.filter(event_id=event_id)
        .exclude(status=SignupStatus.CANCELLED)
        .values("status", "user__profile__gender", "user__profile__university")
        .annotate(total=Count("pk"))
    )
    universities = University.objects.in_bulk({row["user__profile__university"] for row in rows} - {None})
    by_gender: dict[str, int] = {}
    by_university: dict[str, int] = {}
    by_status = {SignupStatus.CONFIRMED.value: 0, SignupStatus.WAITLISTED.value: 0}
    for row in rows:
        gender = row["user__profile__gender"] or "?"
        university = universities.get(row["user__profile__university"])
        university = str(university) if university else "?"
        by_gender[gender] = by_gender.get(gender, 0) + row["total"]
        by_university[university] = by_university.get(university, 0) + row["total"]
        by_status[row["status"]] += row["total"]
    return {
        "by_status": by_status,
        "by_gender": dict(sorted(by_gender.items())),
        "by_university": sorted(by_university.items(), key=lambda item: (-item[1], item[0])),
    }


def _event_locked(*, event_id: int) -> Event:
    event = Event.objects.select_for_update().filter(pk=event_id).first()
    if event is None:
        raise DomainError(ErrorCode.EVENT_NOT_FOUND, _("No such event."), http_status=404)
    return event


def signup_create(*, user: User, event_id: int) -> EventSignup:
    """Sign the user up for a scheduled event: a place while there is one, else the waitlist."""
    with transaction.atomic():
        event = _event_locked(event_id=event_id)
        if event.state != EventState.SCHEDULED:
            raise DomainError(ErrorCode.SIGNUP_CLOSED, _("Sign-ups are open only before the event starts."), http_status=409)
        problems = [problem for problem in event_join_problems(user=user, event=event) if problem[0] not in _LIVE_ONLY_PROBLEMS]
        if problems:
            code, message = problems[0]
            raise DomainError(code, message, http_status=403)
        summary = signup_summary(event=event)
        now = timezone.now()
        has_place = summary.places_left is None or summary.places_left > 0
        try:
            with transaction.atomic():
                return EventSignup.objects.create(
                    event=event,
                    user=user,
                    status=SignupStatus.CONFIRMED if has_place else SignupStatus.WAITLISTED,
                    confirmed_at=now if has_place else None,
                    waitlisted_at=None if has_place else now,
                )
        except IntegrityError:
            raise DomainError(
                ErrorCode.ALREADY_SIGNED_UP, _("You have already signed up for this event."), http_status=409
            ) from None


def signup_cancel(*, user: User, signup_id: int) -> EventSignup | None:
    """Cancel the user's own sign-up; a freed place goes to the first on the waitlist, who is
    told by e-mail after commit. Returns the promoted sign-up, if any."""
    event_id = EventSignup.objects.filter(pk=signup_id).values_list("event_id", flat=True).first()
    if event_id is None:
        raise DomainError(ErrorCode.SIGNUP_NOT_FOUND, _("No such sign-up."), http_status=404)
    with transaction.atomic():
        _event_locked(event_id=event_id)
        signup = EventSignup.objects.select_for_update().get(pk=signup_id)
        if signup.user_id != user.pk:
            raise DomainError(ErrorCode.NOT_YOUR_SIGNUP, _("This sign-up belongs to someone else."), http_status=403)
        if signup.status == SignupStatus.CANCELLED:
            raise DomainError(ErrorCode.SIGNUP_ALREADY_CANCELLED, _("This sign-up was already cancelled."), http_status=409)
        freed_place = signup.status == SignupStatus.CONFIRMED
        signup.status = SignupStatus.CANCELLED
        signup.cancelled_at = timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        return _waitlist_promote_first(event_id=event_id) if freed_place else None


def _waitlist_promote_first(*, event_id: int) -> EventSignup | None:
    first = (
        EventSignup.objects.select_for_update()
        .filter(event_id=event_id, status=SignupStatus.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .first()
    )
    if first is None:
        return None
    first.status = SignupStatus.CONFIRMED
    first.confirmed_at = timezone.now()
    first.save(update_fields=["status", "confirmed_at"])
    transaction.on_commit(lambda: notifications.waitlist_promotion_send(signup_id=first.pk))
    return first


def waitlist_fill(*, event_id: int) -> list[EventSignup]:
    """Give free places to the waitlist in order (after staff raise or remove the limit); each is e-mailed."""
    promoted: list[EventSignup] = []
    with transaction.atomic():
        event = _event_locked(event_id=event_id)
        places_left = signup_summary(event=event).places_left
        while places_left is None or len(promoted) < places_left:
            signup = _waitlist_promote_first(event_id=event_id)
            if signup is None:
                break
            promoted.append(signup)
    return promoted
