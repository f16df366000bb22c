from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.moderation.models import Block


def block_create(*, blocker: User, blocked_user_id: int) -> Block:
    if blocker.pk == blocked_user_id:
        raise DomainError("cannot_block_self", _("You cannot block yourself."))
    if not User.objects.filter(pk=blocked_user_id).exists():
        raise DomainError("user_not_found", _("No such user."), http_status=404)
    try:
        with transaction.atomic():
            return Block.objects.create(blocker=blocker, blocked_id=blocked_user_id)
    except IntegrityError:
        return Block.objects.get(blocker=blocker, blocked_id=blocked_user_id)
