"""Typing notices and presence in chat: what a user's partners see of them."""

import time

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.chat import events, permissions, selectors
from apps.chat.protocol import TYPING_EXPIRES_S
from apps.core.errors import DomainError
from apps.core.redis import get_redis
from apps.realtime import presence
from apps.realtime.protocol import ErrorCode as GatewayErrorCode


def typing_notify(*, user_id: int, room_id: int, is_staff: bool = False) -> bool:
    """Tell the room the user is typing; at most once per CHAT_TYPING_THROTTLE_S. True when sent.

    Only someone who may post in the room may say they are typing in it.
    """
    throttle_key = f"chat:typing:{room_id}:{user_id}"
    if not get_redis().set(throttle_key, 1, nx=True, ex=settings.CHAT_TYPING_THROTTLE_S):
        return False
    room = selectors.room_member_require(user_id=user_id, room_id=room_id).room
    refusal = permissions.post_refusal(
        kind=room.kind,
        is_member=True,
        is_open=room.is_open,
        is_archived=room.archived_at is not None,
        members_can_post=room.members_can_post,
        is_staff=is_staff,
        blocked=lambda: permissions.blocked_with_any(user_id, list(room.members.values_list("user_id", flat=True))),
    )
    if refusal is not None:
        raise refusal
    events.typing(room_id=room_id, user_id=user_id, expires_in_s=TYPING_EXPIRES_S)
    return True


def presence_announce(*, user_id: int, partner_ids: list[int]) -> dict:
    """Tell the user's chat partners (and nobody else) their current presence state."""
    state = presence_state(user_id=user_id)
    events.presence_changed(partner_ids=partner_ids, state=state)
    return state


def presence_set(*, user_id: int, state: str, partner_ids: list[int]) -> dict:
    if state not in ("online", "away"):
        raise DomainError(GatewayErrorCode.INVALID_FRAME, _("'state' must be 'online' or 'away'."), field="state")
    if state == "away":
        presence.lease_enter(presence.AWAY, user_id, ttl_s=settings.PRESENCE_TTL_S * 2)
    else:
        presence.lease_leave(presence.AWAY, user_id)
    return presence_announce(user_id=user_id, partner_ids=partner_ids)


def presence_socket_closing(*, user_id: int, channel_name: str, partner_ids: list[int]) -> None:
    """When the user's last socket goes, partners see them offline with a fresh last-seen."""
    if presence.user_has_other_live_socket(user_id=user_id, channel_name=channel_name):
        return
    presence.lease_leave(presence.AWAY, user_id)
    now = int(timezone.now().timestamp())
    events.presence_changed(partner_ids=partner_ids, state=events.presence_frame(user_id=user_id, state="offline", last_seen=now))


def presence_state(*, user_id: int) -> dict:
    return presence_states(user_ids=[user_id])[0]


def presence_states(*, user_ids: list[int]) -> list[dict]:
    """Presence frames of many users in one Redis round trip."""
    if not user_ids:
        return []
    pipe = get_redis().pipeline(transaction=False)
    presence.queue_live_and_last_seen(pipe, user_ids=user_ids)
    for user_id in user_ids:
        presence.queue_lease_expiry(pipe, presence.AWAY, user_id)
    values, now = pipe.execute(), time.time()
    live = presence.parse_live_and_last_seen(values[: 2 * len(user_ids)])
    away = [presence.lease_is_live(expiry, now) for expiry in values[2 * len(user_ids) :]]
    return [
        events.presence_frame(
            user_id=user_id, state=("away" if is_away else "online") if online else "offline", last_seen=last_seen
        )
        for user_id, (online, last_seen), is_away in zip(user_ids, live, away, strict=True)
    ]
