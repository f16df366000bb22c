"""Writes: a student's acceptance, and staff's drafts and publishing of new versions."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.redis import get_redis
from apps.policies.errors import ErrorCode
from apps.policies.models import PolicyAcceptance, PolicyVersion
from apps.policies.selectors import REQUIRED_KEY, consent_fingerprint_of, consent_remember, consent_versions_current


def policies_accept(*, user_id: int, version_ids: list[int], ip_address: str | None) -> list[PolicyAcceptance]:
    """Record that the user accepted the current terms and privacy policy.

    `version_ids` are the versions the student was shown: they must be exactly the current
    ones, or the student read an outdated text and nothing is recorded. Accepting again the
    same versions is harmless (the first acceptance is kept).
    """
    with transaction.atomic():
        current = consent_versions_current()
        current_ids = {version.pk for version in current}
        if not current_ids:
            raise DomainError(ErrorCode.POLICY_NOT_FOUND, _("There are no terms to accept yet."), http_status=404)
        shown = set(version_ids)
        if shown != current_ids:
            raise DomainError(
                ErrorCode.POLICY_OUTDATED,
                _("The terms or the privacy policy changed while you were reading. Read the new version and accept again."),
                field="version_ids",
                http_status=409,
            )
        now = timezone.now()
        PolicyAcceptance.objects.bulk_create(
            [
                PolicyAcceptance(user_id=user_id, version=version, accepted_at=now, ip_address=ip_address or None)
                for version in current
            ],
            ignore_conflicts=True,
        )
        fingerprint = consent_fingerprint_of(current_ids)
        transaction.on_commit(lambda: consent_remember(user_ids=[user_id], fingerprint=fingerprint))
    return list(PolicyAcceptance.objects.filter(user_id=user_id, version_id__in=current_ids).select_related("version"))


def policy_draft_create(
    *, kind: str, title_ko: str, title_en: str, body_ko: str, body_en: str, changes_ko: str = "", changes_en: str = ""
) -> PolicyVersion:
    """A new, unpublished version of a document, numbered after the newest one."""
    with transaction.atomic():
        last = PolicyVersion.objects.filter(kind=kind).aggregate(last=Max("version"))["last"] or 0
        return PolicyVersion.objects.create(
            kind=kind,
            version=last + 1,
            title_ko=title_ko,
            title_en=title_en,
            body_ko=body_ko,
            body_en=body_en,
            changes_ko=changes_ko,
            changes_en=changes_en,
        )


def policy_draft_from(*, version: PolicyVersion) -> PolicyVersion:
    """A new draft that starts as a copy of `version` (how staff edit a published text)."""
    return policy_draft_create(
        kind=version.kind,
        title_ko=version.title_ko,
        title_en=version.title_en,
        body_ko=version.body_ko,
        body_en=version.body_en,
    )


def policy_publish(*, version_id: int) -> PolicyVersion:
    """Publish a draft now: it becomes the current version, and for the terms and the privacy
    policy every student is asked to accept it before their next match or message."""
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None:
            raise DomainError(ErrorCode.POLICY_NOT_FOUND, _("No such policy version."), http_status=404)
        if version.is_published:
            raise DomainError(
                ErrorCode.POLICY_PUBLISHED, _("This version is already published and cannot change."), http_status=409
            )
        newer = PolicyVersion.objects.filter(kind=version.kind, version__gt=version.version, published_at__isnull=False).exists()
        if newer:
            raise DomainError(
                ErrorCode.POLICY_OUTDATED, _("A newer version of this document is already published."), http_status=409
            )
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
        transaction.on_commit(lambda: get_redis().delete(REQUIRED_KEY))
    return version
