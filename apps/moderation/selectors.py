from django.db.models import Q

from apps.moderation.models import Block


def block_exists_between(*, user_id: int, other_user_id: int) -> bool:
    """True when either of the two has blocked the other."""
    return Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=other_user_id) | Q(blocker_id=other_user_id, blocked_id=user_id)
    ).exists()


def blocked_user_ids(*, user_id: int) -> set[int]:
    """Everyone the user must never meet: those they blocked and those who blocked them."""
    pairs = Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list("blocker_id", "blocked_id")
    return {blocked if blocker == user_id else blocker for blocker, blocked in pairs}
