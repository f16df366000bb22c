"""What the notices page shows a student: their moderation notices with each sanction's rule,
its end in KST, and whether (and how) it can still be appealed."""

from django.conf import settings

from apps.moderation.appeals import APPEAL_TEXT_MAX_LENGTH, appeal_refusal
from apps.moderation.models import CommunityRule, Notice, NoticeKind
from apps.moderation.notices import kst, notice_title

NOTICES_SHOWN = 50


def notices_page_for_user(*, user_id: int) -> dict:
    """The student's newest notices (each sanction shown once, with its appeal state) and the rule list."""
    notices = Notice.objects.filter(user_id=user_id).select_related("sanction", "sanction__appeal")
    rows = list(notices.order_by("-created_at")[:NOTICES_SHOWN])
    cards = [_card(notice) for notice in rows]
    return {
        "cards": cards,
        "unacknowledged": sum(1 for notice in rows if notice.acknowledged_at is None),
        "rules": CommunityRule.choices,
        "appeal_max_length": APPEAL_TEXT_MAX_LENGTH,
        "appeal_days": settings.MODERATION_APPEAL_WINDOW_DAYS,
    }


def _card(notice: Notice) -> dict:
    card = {
        "id": notice.pk,
        "kind": notice.kind,
        "title": notice_title(notice),
        "created_at": kst(notice.created_at),
        "is_new": notice.acknowledged_at is None,
        "report_outcome": notice.report_outcome,
        "report_outcome_label": notice.get_report_outcome_display() if notice.report_outcome else "",
        "sanction": None,
    }
    sanction = notice.sanction
    if sanction is None or notice.kind == NoticeKind.REPORT_HANDLED:
        return card
    appeal = getattr(sanction, "appeal", None)
    refusal = appeal_refusal(sanction=sanction) if notice.kind == NoticeKind.SANCTION else None
    card["sanction"] = {
        "id": sanction.pk,
        "kind": sanction.kind,
        "kind_label": sanction.get_kind_display(),
        "rule": sanction.rule,
        "rule_label": sanction.get_rule_display(),
        "ends_at": kst(sanction.ends_at) if sanction.ends_at else "",
        "appeal_status": appeal.status if appeal else "",
        "appeal_status_label": appeal.get_status_display() if appeal else "",
        # Only the original notice offers the form; the appeal's own notices report its result.
        "can_appeal": notice.kind == NoticeKind.SANCTION and refusal is None,
        "appeal_refusal": refusal.message if refusal is not None and appeal is None else "",
    }
    return card


def notice_banner_for_user(*, user_id: int) -> dict | None:
    """The newest notice not yet acknowledged, as the banner on every page shows it, or None."""
    notice = (
        Notice.objects.filter(user_id=user_id, acknowledged_at__isnull=True)
        .select_related("sanction")
        .order_by("-created_at")
        .first()
    )
    return {"id": notice.pk, "title": notice_title(notice)} if notice else None
