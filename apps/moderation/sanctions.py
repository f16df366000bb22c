"""Moderators' decisions: warn, suspend, ban or clear a user (each a Sanction the student is
told about), lift one sanction, resolve reports and flags; and the open work published as gauges."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.moderation import notices, selectors
from apps.moderation.audit import audit_log, require_reason
from apps.moderation.errors import ErrorCode
from apps.moderation.models import (
    AccountStanding,
    CommunityRule,
    FlaggedContent,
    FlagKind,
    FlagStatus,
    NoticeKind,
    Report,
    ReportEvidence,
    ReportOutcome,
    ReportReason,
    ReportStatus,
    Sanction,
    SanctionKind,
    Standing,
)
from apps.moderation.reports import evidence_purge_time
from apps.telemetry.metrics import Metric, gauge_set

# Moderation knows users through Django's user model contract (docs/architecture.md).
User = get_user_model()

SANCTIONS = ("warn", "suspend", "ban")


def _standing_state(standing: AccountStanding) -> dict:
    return {
        "standing": standing.standing,
        "suspended_until": standing.suspended_until.isoformat() if standing.suspended_until else None,
        "warnings": standing.warnings,
        "hidden_pending_review": standing.hidden_pending_review,
    }


SANCTION_KINDS = {"warn": SanctionKind.WARNING, "suspend": SanctionKind.SUSPENSION, "ban": SanctionKind.BAN}

# The rule a sanction names when the moderator does not pick one: what the report or flag was about.
REPORT_REASON_RULES = {
    ReportReason.HARASSMENT: CommunityRule.RESPECT,
    ReportReason.SEXUAL: CommunityRule.SEXUAL_CONTENT,
    ReportReason.SPAM: CommunityRule.SPAM,
    ReportReason.SCAM: CommunityRule.SCAM,
    ReportReason.UNDERAGE: CommunityRule.ADULTS_ONLY,
    ReportReason.FAKE: CommunityRule.REAL_IDENTITY,
    ReportReason.OTHER: CommunityRule.RESPECT,
}
FLAG_KIND_RULES = {FlagKind.MESSAGE: CommunityRule.RESPECT, FlagKind.IMAGE: CommunityRule.SEXUAL_CONTENT}


def require_rule(rule: str) -> str:
    if rule not in CommunityRule.values:
        raise DomainError(ErrorCode.INVALID_RULE, _("Choose the community rule that was broken."), field="rule")
    return rule


def _standing_apply(*, standing: AccountStanding, user: User, action: str) -> None:
    if action == "warn":
        standing.warnings += 1
        if standing.standing == Standing.GOOD:
            standing.standing = Standing.WARNED
    elif action == "suspend":
        standing.standing = Standing.SUSPENDED
        standing.suspended_until = timezone.now() + timedelta(days=settings.MODERATION_SUSPENSION_DAYS)
    elif action == "ban":
        standing.standing = Standing.BANNED
        user.is_active = False
        user.save(update_fields=["is_active"])
    else:
        standing.standing = Standing.GOOD
        standing.suspended_until = None
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])


@transaction.atomic
def user_sanction(*, user_id: int, moderator: User, action: str, reason: str, rule: str = "") -> AccountStanding:
    """warn / suspend / ban a user for breaking `rule`, or clear them (every sanction in effect is
    lifted). Any decision ends an auto-hide: a human has looked. The student is told (notices)."""
    reason = require_reason(reason)
    if action not in (*SANCTIONS, "clear"):
        raise DomainError(ErrorCode.INVALID_ACTION, _("Unknown moderation action."))
    if action != "clear":
        rule = require_rule(rule)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise DomainError(ErrorCode.USER_NOT_FOUND, _("No such user."), http_status=404)
    standing, _created = AccountStanding.objects.select_for_update().get_or_create(user=user)
    before = _standing_state(standing)
    standing.hidden_pending_review = False
    _standing_apply(standing=standing, user=user, action=action)
    standing.save()
    audit_log(
        actor=moderator,
        action=action,
        target_type="user",
        target_id=user_id,
        target_user_id=user_id,
        reason=reason,
        before=before,
        after=_standing_state(standing),
    )
    if action == "clear":
        for sanction in selectors.sanctions_in_effect(user_id=user_id):
            _sanction_mark_lifted(sanction=sanction, moderator=moderator, reason=reason)
    else:
        ends_at = standing.suspended_until if action == "suspend" else None
        sanction = Sanction.objects.create(
            user=user, kind=SANCTION_KINDS[action], rule=rule, ends_at=ends_at, moderator_id=moderator.pk
        )
        notices.notice_create(user_id=user_id, kind=NoticeKind.SANCTION, sanction=sanction)
    return standing


def _sanction_mark_lifted(*, sanction: Sanction, moderator: User, reason: str) -> None:
    sanction.lifted_at = timezone.now()
    sanction.save(update_fields=["lifted_at"])
    audit_log(
        actor=moderator,
        action="sanction_lifted",
        target_type="sanction",
        target_id=sanction.pk,
        target_user_id=sanction.user_id,
        reason=reason,
        before={"lifted": False},
        after={"lifted": True, "sanction": sanction.kind, "rule": sanction.rule},
    )
    notices.notice_create(user_id=sanction.user_id, kind=NoticeKind.SANCTION_LIFTED, sanction=sanction)


def sanction_lift(*, sanction: Sanction, moderator: User, reason: str) -> AccountStanding:
    """Undo one sanction (an overturned appeal): its effect leaves the standing, other sanctions
    in effect stay, the student is told. The caller holds the transaction."""
    user = User.objects.select_for_update().get(pk=sanction.user_id)
    standing, _created = AccountStanding.objects.select_for_update().get_or_create(user=user)
    before = _standing_state(standing)
    _sanction_mark_lifted(sanction=sanction, moderator=moderator, reason=reason)
    others = selectors.sanctions_in_effect(user_id=user.pk)
    if sanction.kind == SanctionKind.WARNING:
        standing.warnings = max(0, standing.warnings - 1)
    elif sanction.kind == SanctionKind.SUSPENSION and standing.standing == Standing.SUSPENDED:
        later = max((other.ends_at for other in others if other.kind == SanctionKind.SUSPENSION), default=None)
        standing.suspended_until = later
        if later is None:
            standing.standing = Standing.GOOD
    elif (
        sanction.kind == SanctionKind.BAN
        and standing.standing == Standing.BANNED
        and not any(other.kind == SanctionKind.BAN for other in others)
    ):
        standing.standing = Standing.GOOD
        user.is_active = True
        user.save(update_fields=["is_active"])
    if standing.standing in (Standing.GOOD, Standing.WARNED):
        standing.standing = Standing.WARNED if standing.warnings else Standing.GOOD
    standing.save()
    audit_log(
        actor=moderator,
        action="lift",
        target_type="user",
        target_id=user.pk,
        target_user_id=user.pk,
        reason=reason,
        before=before,
        after=_standing_state(standing),
    )
    return standing


def _require_resolution(*, action: str, reason: str) -> str:
    reason = require_reason(reason)
    if action not in ("dismiss", *SANCTIONS):
        raise DomainError(ErrorCode.INVALID_ACTION, _("Unknown moderation action."))
    return reason


def _queue_item_resolve(
    *,
    item,
    kind: str,
    target_user_id: int | None,
    moderator: User,
    action: str,
    reason: str,
    statuses: tuple[str, str],
    rule: str,
    extra_fields: tuple[str, ...] = (),
) -> None:
    """Close a queue item (report or flag): sanction its user unless dismissed, save, audit."""
    before = {"status": item.status}
    if action != "dismiss" and target_user_id is not None:
        user_sanction(user_id=target_user_id, moderator=moderator, action=action, reason=reason, rule=rule)
    dismissed_status, actioned_status = statuses
    item.status = dismissed_status if action == "dismiss" else actioned_status
    item.save(update_fields=["status", *extra_fields])
    audit_log(
        actor=moderator,
        action=f"{kind}_{action}",
        target_type=kind,
        target_id=item.pk,
        target_user_id=target_user_id,
        reason=reason,
        before=before,
        after={"status": item.status},
    )


@transaction.atomic
def report_resolve(*, report_id: int, moderator: User, action: str, reason: str, rule: str = "") -> Report:
    """Dismiss a report, or act on it with warn / suspend / ban of the reported user for breaking
    `rule` (by default the one the report's reason names). The reporter hears the outcome category."""
    reason = _require_resolution(action=action, reason=reason)
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise DomainError(ErrorCode.REPORT_NOT_FOUND, _("No such report."), http_status=404)
    report.resolved_at = timezone.now()
    _queue_item_resolve(
        item=report,
        kind="report",
        target_user_id=report.reported_user_id,
        moderator=moderator,
        action=action,
        reason=reason,
        statuses=(ReportStatus.DISMISSED, ReportStatus.ACTIONED),
        rule=rule or REPORT_REASON_RULES.get(report.reason, CommunityRule.RESPECT),
        extra_fields=("resolved_at",),
    )
    ReportEvidence.objects.filter(report=report, purge_after__isnull=True).update(purge_after=evidence_purge_time())
    outcome = ReportOutcome.NO_VIOLATION if action == "dismiss" else ReportOutcome.ACTION_TAKEN
    notices.report_outcome_notify(reporter_id=report.reporter_id, outcome=outcome)
    return report


@transaction.atomic
def flag_resolve(*, flag_id: int, moderator: User, action: str, reason: str, rule: str = "") -> FlaggedContent:
    """Dismiss a flagged message, or confirm it and sanction its author."""
    reason = _require_resolution(action=action, reason=reason)
    flag = FlaggedContent.objects.select_for_update().filter(pk=flag_id).first()
    if flag is None:
        raise DomainError(ErrorCode.FLAG_NOT_FOUND, _("No such flagged item."), http_status=404)
    _queue_item_resolve(
        item=flag,
        kind="flag",
        target_user_id=flag.user_id,
        moderator=moderator,
        action=action,
        reason=reason,
        statuses=(FlagStatus.DISMISSED, FlagStatus.CONFIRMED),
        rule=rule or FLAG_KIND_RULES.get(flag.kind, CommunityRule.RESPECT),
    )
    return flag


def moderation_backlog_publish() -> dict[str, float]:
    """Publish the open moderation work as gauges for the dashboard and the 24 h alert rule."""
    counts = selectors.moderation_queue_counts()
    oldest = selectors.moderation_oldest_open_created_at()
    backlog = counts["images"] + counts["reports"] + counts["flags"] + counts["appeals"]
    gauge_set(Metric.MODERATION_BACKLOG, backlog)
    # 0 means "nothing pending": the stale-item rule reads a missing or zero timestamp as healthy.
    oldest_ts = oldest.timestamp() if oldest else 0
    gauge_set(Metric.MODERATION_OLDEST_TS, oldest_ts)
    return {"backlog": backlog, "oldest_ts": oldest_ts}
