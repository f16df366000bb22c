"""Moderation's part of an account's export and deletion (apps/accounts/privacy.py)."""

from django.contrib.auth import get_user_model

from apps.moderation.audit import audit_log
from apps.moderation.models import (
    Block,
    HiddenWord,
    ModeratedImage,
    Report,
    ReportEvidence,
)
from apps.moderation.reports import evidence_purge_time

# Moderation knows users through Django's user model contract (docs/architecture.md).
User = get_user_model()


def account_export_sections(*, user: User) -> dict:
    """The safety data of an account's export: images, blocks, hidden words, reports made."""
    return {
        "images": [
            {"purpose": image.purpose, "status": image.status, "uploaded_at": image.created_at.isoformat()}
            for image in ModeratedImage.objects.filter(owner=user).order_by("pk")
        ],
        "blocks": list(Block.objects.filter(blocker=user).order_by("pk").values_list("blocked_id", flat=True)),
        "hidden_words": list(HiddenWord.objects.filter(user=user).order_by("word").values_list("word", flat=True)),
        "reports_made": [
            {"reason": report.reason, "text": report.text, "status": report.status, "created_at": report.created_at.isoformat()}
            for report in Report.objects.filter(reporter=user).order_by("pk")
        ],
    }


def account_erasing(*, user_id: int) -> set[str]:
    """Inside an account deletion's transaction: start the retention clock of the evidence of
    reports the user is part of, audit the deletion, and return the storage names of the
    user's images (the caller deletes the files after commit)."""
    storage_names = set(ModeratedImage.objects.filter(owner_id=user_id).values_list("storage_name", flat=True))
    involved = Report.objects.filter(reporter_id=user_id) | Report.objects.filter(reported_user_id=user_id)
    ReportEvidence.objects.filter(report__in=involved, purge_after__isnull=True).update(purge_after=evidence_purge_time())
    audit_log(actor=None, action="account_deleted", target_type="user", target_id=user_id, target_user_id=user_id)
    return storage_names
