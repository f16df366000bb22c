"""The one rule of who may post in a room: a message (one by one or in a write batch), an
image, a typing notice. Callers bring the facts they already read; the rule orders the
reasons the way users understand them."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from apps.chat.models import RoomKind
from apps.chat.protocol import ErrorCode
from apps.chat.selectors import not_member_error, posting_allowed
from apps.core.errors import DomainError
from apps.moderation.selectors import block_exists_between


def post_refusal(
    *,
    kind: str | None,
    is_member: bool,
    is_open: bool,
    members_can_post: bool,
    is_staff: bool,
    blocked: bool | Callable[[], bool],
    is_archived: bool = False,
) -> DomainError | None:
    """Why this member may not post in this room now, or None when they may.

    In order: not a member (or no such room: `kind` None), the chat was archived after a long
    silence (`is_archived`) or has ended, a lobby only
    staff may write in, a block between the two of a 1:1 room. `blocked` may be a callable:
    it is asked only for an open 1:1 room the member belongs to.
    """
    if kind is None or not is_member:
        return not_member_error()
    if not is_open and is_archived:
        return DomainError(
            ErrorCode.ROOM_ARCHIVED,
            _("This chat was archived after a long silence. You can still read it, but no one can write in it."),
            http_status=409,
        )
    if not is_open:
        return DomainError(ErrorCode.ROOM_CLOSED, _("This chat has ended; you can no longer send messages."), http_status=409)
    if not posting_allowed(kind=kind, members_can_post=members_can_post, is_staff=is_staff):
        return DomainError(ErrorCode.READ_ONLY_ROOM, _("Only staff can post in this lobby."), http_status=403)
    if kind == RoomKind.DIRECT and (blocked() if callable(blocked) else blocked):
        return DomainError(ErrorCode.BLOCKED, _("You cannot send messages in this chat."), http_status=403)
    return None


def blocked_with_any(user_id: int, member_ids: list[int]) -> bool:
    return any(block_exists_between(user_id=user_id, other_user_id=other) for other in member_ids if other != user_id)
