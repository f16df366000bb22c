import json
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import profile_for_user, profile_match_card
from apps.events.models import Event
from apps.matching import events, queue
from apps.matching.models import Match, MatchSeat, QueueEpoch, QueueEpochCause, QueueTicket
from apps.matching.pacing import QueueView, pacing_policy
from apps.matching.protocol import QueueStatusFrame
from apps.moderation.models import Block
from apps.moderation.selectors import blocked_user_ids


@dataclass(frozen=True)
class TicketView:
    """The facts compatibility depends on (the Lua scripts apply the same rules)."""

    user_id: int
    gender: str
    seeking: str
    university_id: int
    excluded: frozenset[int] = frozenset()


def is_compatible(a: TicketView, b: TicketView, *, allow_same_university: bool) -> bool:
    """Mutual gender preference, never excluded either way, and the event's same-university rule."""
    if a.user_id == b.user_id:
        return False
    if b.gender not in a.seeking or a.gender not in b.seeking:
        return False
    if not allow_same_university and a.university_id == b.university_id:
        return False
    return b.user_id not in a.excluded and a.user_id not in b.excluded


def blocked_pairs(*, pairs: list[tuple[int, int]]) -> set[frozenset[int]]:
    """Which of the pairs has a block between them (either way), in one query."""
    user_ids = {user_id for pair in pairs for user_id in pair}
    if not user_ids:
        return set()
    rows = Block.objects.filter(blocker_id__in=user_ids, blocked_id__in=user_ids).values_list("blocker_id", "blocked_id")
    wanted = {frozenset(pair) for pair in pairs}
    return {frozenset(row) for row in rows} & wanted


def past_partner_ids(*, user_id: int, event_id: int) -> set[int]:
    pairs = Match.objects.filter(event_id=event_id, seats__user_id=user_id).values_list("user_a_id", "user_b_id")
    return {a if b == user_id else b for a, b in pairs}


def ticket_snapshot_build(*, user: User, event: Event) -> queue.TicketSnapshot:
    """Read once at join what the hot path needs, so pairing never touches PostgreSQL."""
    profile = profile_for_user(user=user)
    # The card and the ticket read the interests three times and the university once: one query
    # each instead, for every join of a crowd.
    prefetch_related_objects([profile], "university", "interests")
    card = profile_match_card(profile=profile)
    return queue.TicketSnapshot(
        event_id=event.pk,
        user_id=user.pk,
        gender=profile.gender,
        seeking=profile.seeking,
        university_id=profile.university_id,
        interest_ids=tuple(interest.pk for interest in profile.interests.all()),
        card_json=json.dumps(card, ensure_ascii=False, separators=(",", ":")),
        excluded_user_ids=frozenset(blocked_user_ids(user_id=user.pk) | past_partner_ids(user_id=user.pk, event_id=event.pk)),
        allow_same_university=event.allow_same_university,
        accept_timeout_s=event.accept_timeout_s,
        max_wait_s=event.max_wait_s,
    )


def _competing_buckets(gender: str, seeking: str) -> list[tuple[str, str]]:
    """People of my gender who want at least one of the genders I want compete for my partners."""
    return [(gender, other) for other in queue.SEEKINGS if set(other) & set(seeking)]


def _partner_buckets(gender: str, seeking: str) -> list[tuple[str, str]]:
    return [(g, s) for g in seeking for s in queue.SEEKINGS if gender in s]


def queue_counts(*, event_id: int) -> dict[str, int]:
    """Waiting users by gender, for the lobby."""
    sizes = queue.bucket_sizes(event_id=event_id)
    return {f"waiting_{gender}": sum(n for (g, _), n in sizes.items() if g == gender) for gender in queue.GENDERS}


def queue_imbalance(*, event_id: int) -> dict:
    """For staff: waiting counts, the ratio long:short side and whether pacing treats it as skewed."""
    counts = queue_counts(event_id=event_id)
    men, women = counts["waiting_M"], counts["waiting_F"]
    policy = pacing_policy()
    skewed = policy.is_long_side(my_side=men, other_side=women) or policy.is_long_side(my_side=women, other_side=men)
    ratio = round(max(men, women) / max(min(men, women), 1), 2) if men or women else 0.0
    long_side = "" if not skewed else ("M" if men > women else "F")
    return {"event_id": event_id, "waiting_M": men, "waiting_F": women, "ratio": ratio, "long_side": long_side}


def queue_statuses(*, event_id: int, user_ids: list[int] | None = None) -> dict[int, QueueStatusFrame]:
    """The `queue.status` frame of each waiting user (or only of `user_ids`), from a few Redis round trips."""
    waiting = queue.waiting(event_id=event_id)
    if user_ids is not None:
        wanted = set(user_ids)
        rows = [row for row in waiting if row[0] in wanted]
    else:
        rows = waiting
    if not rows:
        return {}
    sizes = queue.bucket_sizes(event_id=event_id)
    by_gender = {gender: sum(n for (g, _), n in sizes.items() if g == gender) for gender in queue.GENDERS}
    pairings = queue.recent_pairings(event_id=event_id, window_s=settings.MATCHING_RATE_WINDOW_S)
    max_wait_s = queue.event_config(event_id=event_id)["max_wait_s"]
    now = queue.now_ms()
    policy = pacing_policy()
    scores_by_bucket: dict[tuple[str, str], list[float]] = defaultdict(list)
    for _, g, s, other_score in waiting:  # already oldest first, so each list is sorted
        scores_by_bucket[(g, s)].append(other_score)
    frames: dict[int, QueueStatusFrame] = {}
    for user_id, gender, seeking, score in rows:
        ahead = sum(bisect_left(scores_by_bucket[bucket], score) for bucket in _competing_buckets(gender, seeking))
        partners = sum(sizes[bucket] for bucket in _partner_buckets(gender, seeking))
        other = "F" if gender == "M" else "M"
        estimate = policy.estimate(
            QueueView(
                position=ahead + 1,
                partners_waiting=partners,
                my_side_waiting=by_gender[gender],
                other_side_waiting=by_gender[other],
                pairings_in_window=pairings,
                window_s=settings.MATCHING_RATE_WINDOW_S,
            )
        )
        frames[user_id] = events.queue_status_frame(
            event_id=event_id,
            state="waiting",
            position=ahead + 1,
            waiting=by_gender,
            partners_waiting=partners,
            eta_s=estimate.eta_s,
            long_side=estimate.long_side,
            waited_s=int((now - score) / 1000),
            max_wait_s=max_wait_s,
        )
    return frames


def queue_status(*, event_id: int, user_id: int) -> QueueStatusFrame:
    """The user's place in the event's queue; state `proposed` while a proposal is open, `none` without a ticket.

    A ticket only PostgreSQL holds (Redis lost the queue and the restore has not put it back
    yet) is `waiting` with `position` null: the place exists, its number is being restored.
    """
    frames = queue_statuses(event_id=event_id, user_ids=[user_id])
    if user_id in frames:
        return frames[user_id]
    ticket = queue.ticket_get(event_id=event_id, user_id=user_id)
    copy = None if ticket else QueueTicket.objects.filter(event_id=event_id, user_id=user_id).only("joined_at").first()
    if ticket:
        waited_s = int((queue.now_ms() - queue.join_ms(ticket["js"])) / 1000)
    else:
        waited_s = int((timezone.now() - copy.joined_at).total_seconds()) if copy else 0
    return events.queue_status_frame(
        event_id=event_id,
        state="proposed" if ticket.get("st") == "proposed" else "waiting" if copy else "none",
        position=None,
        waiting={k.removeprefix("waiting_"): v for k, v in queue_counts(event_id=event_id).items()},
        partners_waiting=0,
        eta_s=None,
        long_side=False,
        waited_s=waited_s,
        max_wait_s=0,
        proposal=int(ticket["p"]) if ticket.get("p") else None,
    )


def stranded_pairs(*, event_id: int, allow_same_university: bool) -> list[tuple[int, int]]:
    """Compatible pairs who are both still waiting (the sweep's job to pair; reported by reconciliation)."""
    views = []
    for user_id, gender, seeking, _ in queue.waiting(event_id=event_id):
        ticket = queue.ticket_get(event_id=event_id, user_id=user_id)
        views.append(
            TicketView(
                user_id=user_id,
                gender=gender,
                seeking=seeking,
                university_id=int(ticket.get("u", 0)),
                excluded=frozenset(queue.excluded_ids(event_id=event_id, user_id=user_id)),
            )
        )
    return [
        (a.user_id, b.user_id)
        for index, a in enumerate(views)
        for b in views[index + 1 :]
        if is_compatible(a, b, allow_same_university=allow_same_university)
    ]


def match_list_for_user(*, user: User) -> list[Match]:
    return list(Match.objects.filter(seats__user=user).select_related("event").order_by("-created_at"))


def match_active_seat(*, user_id: int, event_id: int) -> MatchSeat | None:
    return MatchSeat.objects.select_related("match").filter(user_id=user_id, event_id=event_id, is_active=True).first()


def queue_state_losses(*, since: float) -> list[QueueEpoch]:
    """Epochs started because Redis lost the queue (not the first start) since `since` (Unix seconds), restored."""
    return list(
        QueueEpoch.objects.exclude(cause=QueueEpochCause.FIRST)
        .filter(started_at__gte=datetime.fromtimestamp(since, tz=UTC), restored_at__isnull=False)
        .order_by("pk")
    )
