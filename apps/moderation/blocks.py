"""Blocks between users; chat ends the pair's rooms through moderation's block_created hook.

Unblocking lifts the block for the future only: rooms the block closed stay closed (chat
is not told), and the two can meet again in matching.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.moderation import hooks
from apps.moderation.errors import ErrorCode
from apps.moderation.models import (
    Block,
)

# Moderation knows users through Django's user model contract (docs/architecture.md).
User = get_user_model()


def block_create(*, blocker: User, blocked_user_id: int) -> Block:
    if blocker.pk == blocked_user_id:
        raise DomainError(ErrorCode.CANNOT_BLOCK_SELF, _("You cannot block yourself."))
    if not User.objects.filter(pk=blocked_user_id).exists():
        raise DomainError(ErrorCode.USER_NOT_FOUND, _("No such user."), http_status=404)
    try:
        with transaction.atomic():
            block = Block.objects.create(blocker=blocker, blocked_id=blocked_user_id)
    except IntegrityError:
        return Block.objects.get(blocker=blocker, blocked_id=blocked_user_id)
    # The pair's 1:1 chats end at once (both are told); matching checks blocks itself.
    hooks.block_created.send(blocker_id=blocker.pk, blocked_id=blocked_user_id)
    return block


def block_remove(*, blocker: User, blocked_user_id: int) -> None:
    """Lift `blocker`'s block of `blocked_user_id`; someone never blocked is a 404 and nothing changes."""
    deleted, _rows = Block.objects.filter(blocker=blocker, blocked_id=blocked_user_id).delete()
    if not deleted:
        raise DomainError(ErrorCode.NOT_BLOCKED, _("You have not blocked this person."), http_status=404)
