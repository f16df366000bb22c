"""Reports with their evidence snapshots, the auto-hide of often-reported users, and the
evidence's retention."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit
from apps.moderation import hooks
from apps.moderation.audit import audit_log
from apps.moderation.blocks import block_create
from apps.moderation.errors import ErrorCode
from apps.moderation.models import (
    AccountStanding,
    Report,
    ReportEvidence,
    ReportReason,
    ReportStatus,
)
from apps.telemetry.metrics import Metric, metric_incr

# Moderation knows users through Django's user model contract (docs/architecture.md).
User = get_user_model()

REPORT_TEXT_MAX_LENGTH = 1000


def _reports_rule() -> RateLimit:
    return RateLimit("moderation-reports", settings.MODERATION_REPORTS_PER_DAY, 24 * 60 * 60)


def _room_evidence(*, reporter: User, reported_user_id: int, room_id: int | None, message_seq: int | None) -> dict:
    """Check the reporter may speak about this room/message and snapshot what they saw (chat answers)."""
    if room_id is None:
        if message_seq is not None:
            raise DomainError(ErrorCode.ROOM_REQUIRED, _("Say which chat the message is in."), field="room_id")
        return {}
    return hooks.report_room_evidence.call(
        reporter_id=reporter.pk, reported_user_id=reported_user_id, room_id=room_id, message_seq=message_seq
    )


def report_create(
    *,
    reporter: User,
    reported_user_id: int,
    reason: str,
    text: str = "",
    room_id: int | None = None,
    message_seq: int | None = None,
) -> Report:
    """File a report with an evidence snapshot; may auto-hide the reported user."""
    if reported_user_id == reporter.pk:
        raise DomainError(ErrorCode.CANNOT_REPORT_SELF, _("You cannot report yourself."))
    if reason not in ReportReason.values:
        raise DomainError(ErrorCode.INVALID_REASON, _("Choose a reason from the list."), field="reason")
    text = (text or "").strip()
    if len(text) > REPORT_TEXT_MAX_LENGTH:
        raise DomainError(
            ErrorCode.REPORT_TEXT_TOO_LONG,
            _("The details must be at most %(max)d characters.") % {"max": REPORT_TEXT_MAX_LENGTH},
            field="text",
        )
    reported = User.objects.filter(pk=reported_user_id).select_related("profile").first()
    if reported is None:
        raise DomainError(ErrorCode.USER_NOT_FOUND, _("No such user."), http_status=404)
    evidence = _room_evidence(reporter=reporter, reported_user_id=reported_user_id, room_id=room_id, message_seq=message_seq)
    if Report.objects.filter(
        reporter=reporter, reported_user_id=reported_user_id, room_id=room_id, message_seq=message_seq, status=ReportStatus.OPEN
    ).exists():
        raise _duplicate_report()
    rate_limit_hit(rule=_reports_rule(), subject=str(reporter.pk))
    evidence["reported_profile"] = hooks.reported_profile_snapshot.call(user_id=reported_user_id)
    evidence["reporter_id"] = reporter.pk
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                reported_user_id=reported_user_id,
                reported_user_label=evidence["reported_profile"].get("nickname", "")[:120],
                room_id=room_id,
                message_seq=message_seq,
                reason=reason,
                text=text,
            )
            ReportEvidence.objects.create(report=report, snapshot=evidence)
            _auto_hide_if_reported_enough(user_id=reported_user_id)
    except IntegrityError:
        # A concurrent identical report won the unique constraint.
        raise _duplicate_report() from None
    # A report made in an event's chat counts in that event's dashboard too.
    event_id = hooks.room_event_id.call(room_id=room_id) if room_id else None
    transaction.on_commit(lambda: metric_incr(Metric.REPORTS, event_id=event_id, user_id=reported_user_id))
    return report


def _duplicate_report() -> DomainError:
    return DomainError(
        ErrorCode.DUPLICATE_REPORT, _("You have already reported this. Our team is looking into it."), http_status=409
    )


def _auto_hide_if_reported_enough(*, user_id: int) -> None:
    reporters = (
        Report.objects.filter(
            reported_user_id=user_id, status=ReportStatus.OPEN, reporter__profile__university_verified_at__isnull=False
        )
        .values("reporter_id")
        .distinct()
        .count()
    )
    if reporters < settings.MODERATION_AUTO_HIDE_REPORTERS:
        return
    standing, _created = AccountStanding.objects.select_for_update().get_or_create(user_id=user_id)
    if standing.hidden_pending_review:
        return
    standing.hidden_pending_review = True
    standing.save(update_fields=["hidden_pending_review", "updated_at"])
    audit_log(
        actor=None,
        action="auto_hide",
        target_type="user",
        target_id=user_id,
        target_user_id=user_id,
        reason=f"reported by {reporters} verified users",
        before={"hidden_pending_review": False},
        after={"hidden_pending_review": True},
    )


@transaction.atomic
def report_and_block(
    *,
    reporter: User,
    reported_user_id: int,
    reason: str,
    text: str = "",
    room_id: int | None = None,
    message_seq: int | None = None,
) -> Report:
    report = report_create(
        reporter=reporter, reported_user_id=reported_user_id, reason=reason, text=text, room_id=room_id, message_seq=message_seq
    )
    block_create(blocker=reporter, blocked_user_id=reported_user_id)
    return report


def evidence_purge_time():
    return timezone.now() + timedelta(days=settings.MODERATION_EVIDENCE_RETENTION_DAYS)


def evidence_purge_expired() -> int:
    deleted, _details = ReportEvidence.objects.filter(purge_after__lt=timezone.now()).delete()
    return deleted
