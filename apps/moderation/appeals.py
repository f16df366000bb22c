"""Appeals: a sanctioned student asks for a second look; a moderator upholds or overturns the
decision (overturning lifts the sanction). Both steps are audited and the student is told."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.errors import DomainError
from apps.moderation import notices
from apps.moderation.audit import audit_log, require_reason
from apps.moderation.errors import ErrorCode
from apps.moderation.models import Appeal, AppealStatus, NoticeKind, Sanction
from apps.moderation.sanctions import sanction_lift

# Moderation knows users through Django's user model contract (docs/architecture.md).
User = get_user_model()

APPEAL_TEXT_MAX_LENGTH = 2000
APPEAL_OUTCOMES = (AppealStatus.UPHELD, AppealStatus.OVERTURNED)


def appeal_refusal(*, sanction: Sanction) -> DomainError | None:
    """Why this sanction can no longer be appealed, or None (the page shows the form or the reason)."""
    now = timezone.now()
    if hasattr(sanction, "appeal"):
        return DomainError(
            ErrorCode.APPEAL_EXISTS, _("You have already appealed this decision. We will tell you the result."), http_status=409
        )
    if sanction.lifted_at is not None:
        return DomainError(ErrorCode.SANCTION_LIFTED, _("This sanction has already been lifted."), http_status=409)
    if sanction.ends_at is not None and sanction.ends_at <= now:
        return DomainError(ErrorCode.SANCTION_EXPIRED, _("This suspension is already over."), http_status=409)
    days = settings.MODERATION_APPEAL_WINDOW_DAYS
    if sanction.created_at + timedelta(days=days) <= now:
        message = ngettext(
            "Decisions can be appealed within %(days)d day; this one is older.",
            "Decisions can be appealed within %(days)d days; this one is older.",
            days,
        )
        return DomainError(ErrorCode.APPEAL_TOO_LATE, message % {"days": days}, http_status=409)
    return None


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(ErrorCode.APPEAL_TEXT_REQUIRED, _("Tell us why you think this decision is wrong."), field="text")
    if len(text) > APPEAL_TEXT_MAX_LENGTH:
        raise DomainError(
            ErrorCode.APPEAL_TEXT_TOO_LONG,
            _("Your explanation must be at most %(max)d characters.") % {"max": APPEAL_TEXT_MAX_LENGTH},
            field="text",
        )
    return text


def appeal_create(*, user_id: int, sanction_id: int, text: str) -> Appeal:
    """Appeal one of the student's own sanctions while it is in effect; it joins the moderation queue."""
    text = _clean_text(text)
    try:
        with transaction.atomic():
            sanction = Sanction.objects.select_for_update().filter(pk=sanction_id, user_id=user_id).first()
            if sanction is None:
                # Someone else's sanction looks exactly like one that does not exist.
                raise DomainError(ErrorCode.SANCTION_NOT_FOUND, _("There is no such decision on your account."), http_status=404)
            refusal = appeal_refusal(sanction=sanction)
            if refusal is not None:
                raise refusal
            appeal = Appeal.objects.create(sanction=sanction, text=text)
            audit_log(
                actor=None,
                action="appeal_created",
                target_type="appeal",
                target_id=appeal.pk,
                target_user_id=user_id,
                after={"sanction_id": sanction.pk, "status": appeal.status},
            )
    except IntegrityError:
        # A second tab's appeal of the same sanction won the one-to-one key.
        raise DomainError(
            ErrorCode.APPEAL_EXISTS, _("You have already appealed this decision. We will tell you the result."), http_status=409
        ) from None
    return appeal


@transaction.atomic
def appeal_decide(*, appeal_id: int, moderator: User, outcome: str, reason: str) -> Appeal:
    """Uphold the decision, or overturn it (the sanction is lifted); the student is told either way."""
    reason = require_reason(reason)
    if outcome not in APPEAL_OUTCOMES:
        raise DomainError(ErrorCode.INVALID_ACTION, _("Unknown moderation action."))
    appeal = Appeal.objects.select_for_update().select_related("sanction").filter(pk=appeal_id).first()
    if appeal is None:
        raise DomainError(ErrorCode.APPEAL_NOT_FOUND, _("No such appeal."), http_status=404)
    if appeal.status != AppealStatus.OPEN:
        raise DomainError(ErrorCode.APPEAL_ALREADY_DECIDED, _("This appeal has already been decided."), http_status=409)
    appeal.status = outcome
    appeal.decided_at = timezone.now()
    appeal.decided_by_label = moderator.email
    appeal.decision_reason = reason[:500]
    appeal.save(update_fields=["status", "decided_at", "decided_by_label", "decision_reason"])
    sanction = appeal.sanction
    audit_log(
        actor=moderator,
        action=f"appeal_{outcome}",
        target_type="appeal",
        target_id=appeal.pk,
        target_user_id=sanction.user_id,
        reason=reason,
        before={"status": AppealStatus.OPEN},
        after={"status": outcome},
    )
    if outcome == AppealStatus.OVERTURNED and sanction.lifted_at is None:
        sanction_lift(sanction=sanction, moderator=moderator, reason=reason)
    elif outcome == AppealStatus.UPHELD:
        notices.notice_create(user_id=sanction.user_id, kind=NoticeKind.APPEAL_UPHELD, sanction=sanction)
    return appeal
