"""Reads of the published documents and of who accepted them.

Whether a student accepted the current terms and privacy policy is asked on every chat send
batch, queue join and check-in, so the answer is cached in Redis: `policies:required` holds
the current versions' ids (the "fingerprint", deleted when a version is published) and
`policies:accepted:<user id>` the fingerprint the student last accepted. A new version
changes the fingerprint, so every older acceptance stops matching without touching the
users' keys; an acceptance writes the user's key after its commit.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.redis import get_redis
from apps.policies.errors import ErrorCode
from apps.policies.models import CONSENT_KINDS, PolicyAcceptance, PolicyKind, PolicyVersion

REQUIRED_KEY = "policies:required"
ACCEPTED_KEY = "policies:accepted:{user_id}"
# Publishing deletes the required key after its commit; a read that raced the publish could
# write back the old fingerprint, so it lives only this long.
REQUIRED_TTL_S = 60


def policy_current(*, kind: str) -> PolicyVersion | None:
    """The newest published version of a document, or None before the first is published."""
    return PolicyVersion.objects.filter(kind=kind, published_at__lte=timezone.now()).order_by("-version").first()


def policy_current_all() -> dict[str, PolicyVersion]:
    """Every document's current version by kind (documents never published are left out)."""
    current: dict[str, PolicyVersion] = {}
    for version in PolicyVersion.objects.filter(published_at__lte=timezone.now()).order_by("kind", "-version"):
        current.setdefault(version.kind, version)
    return current


def policy_version_get(*, kind: str, version: int) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(kind=kind, version=version, published_at__lte=timezone.now()).first()


def policy_history(*, kind: str) -> list[PolicyVersion]:
    return list(PolicyVersion.objects.filter(kind=kind, published_at__lte=timezone.now()).order_by("-version"))


def consent_versions_current() -> list[PolicyVersion]:
    """The versions a student must accept now (terms, then privacy), published ones only."""
    current = policy_current_all()
    return [current[kind] for kind in CONSENT_KINDS if kind in current]


def consent_fingerprint_of(version_ids: Iterable[int]) -> str:
    return ",".join(str(version_id) for version_id in sorted(version_ids))


def consent_fingerprint() -> str:
    """The current consent versions' ids as one string ("" when nothing is published yet)."""
    client = get_redis()
    cached = client.get(REQUIRED_KEY)
    if cached is not None:
        return cached
    return _fingerprint_refresh(client)


def _fingerprint_refresh(client) -> str:
    fingerprint = consent_fingerprint_of(version.pk for version in consent_versions_current())
    client.set(REQUIRED_KEY, fingerprint, ex=REQUIRED_TTL_S)
    return fingerprint


def consent_missing_user_ids(*, user_ids: Iterable[int]) -> set[int]:
    """Which of these users have not accepted every current consent version.

    One Redis round trip when all of them were seen since the last version came out; the
    rest cost one query together (and are remembered when they had accepted).
    """
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    client = get_redis()
    cached = client.mget([REQUIRED_KEY, *(ACCEPTED_KEY.format(user_id=user_id) for user_id in ids)])
    fingerprint = cached[0] if cached[0] is not None else _fingerprint_refresh(client)
    if not fingerprint:
        return set()
    unknown = [user_id for user_id, accepted in zip(ids, cached[1:], strict=True) if accepted != fingerprint]
    if not unknown:
        return set()
    required_ids = [int(part) for part in fingerprint.split(",")]
    accepted_all = set(
        PolicyAcceptance.objects.filter(user_id__in=unknown, version_id__in=required_ids)
        .values("user_id")
        .annotate(versions=Count("version_id", distinct=True))
        .filter(versions=len(required_ids))
        .values_list("user_id", flat=True)
    )
    if accepted_all:
        consent_remember(user_ids=accepted_all, fingerprint=fingerprint, client=client)
    return set(unknown) - accepted_all


def consent_remember(*, user_ids: Iterable[int], fingerprint: str, client=None) -> None:
    pipe = (client or get_redis()).pipeline(transaction=False)
    for user_id in user_ids:
        pipe.set(ACCEPTED_KEY.format(user_id=user_id), fingerprint, ex=settings.POLICIES_CACHE_TTL_S)
    pipe.execute()


def consent_problem(*, user_id: int) -> tuple[str, str] | None:
    """Why the user may not be matched or chat yet for want of consent, as (code, message), or None."""
    if user_id in consent_missing_user_ids(user_ids=[user_id]):
        return ErrorCode.TERMS_NOT_ACCEPTED, consent_message()
    return None


def consent_message() -> str:
    return _("Please read and accept the current terms of service and privacy policy first.")


def footer_documents() -> list[tuple[str, str]]:
    """The footer's links: every kind, in a fixed order, as (kind, label)."""
    return [(kind.value, kind.label) for kind in PolicyKind]


def acceptances_for_user(*, user_id: int) -> list[PolicyAcceptance]:
    return list(PolicyAcceptance.objects.filter(user_id=user_id).select_related("version").order_by("-accepted_at"))
