"""The moderation audit trail: every decision, by a moderator or by the system, with its reason."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.moderation.errors import ErrorCode
from apps.moderation.models import (
    ModerationAction,
)

# Moderation knows users through Django's user model contract (docs/architecture.md).
User = get_user_model()

SYSTEM_ACTOR = "system"


def audit_log(
    *,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int,
    target_user_id: int | None,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> ModerationAction:
    return ModerationAction.objects.create(
        actor_id=actor.pk if actor else None,
        actor_label=actor.email if actor else SYSTEM_ACTOR,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_user_id=target_user_id,
        reason=reason[:500],
        before=before or {},
        after=after or {},
    )


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ErrorCode.REASON_REQUIRED, _("Give a reason for this moderation action."), field="reason")
    return reason
