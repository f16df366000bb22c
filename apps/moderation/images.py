"""The image pipeline: uploads queued for the configured backend, decisions by thresholds or
by a moderator, and the owning app told through the image_decided hook."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit
from apps.core.task_queue import task_send_on_commit
from apps.moderation import hooks
from apps.moderation.audit import audit_log, require_reason
from apps.moderation.errors import ErrorCode
from apps.moderation.image_backends import get_image_backend
from apps.moderation.models import (
    ImagePurpose,
    ImageStatus,
    ModeratedImage,
)

# Moderation knows users through Django's user model contract (docs/architecture.md).
User = get_user_model()


def _uploads_rule() -> RateLimit:
    return RateLimit("moderation-uploads", settings.MODERATION_UPLOADS_PER_HOUR, 60 * 60)


def upload_rate_limit_hit(*, user_id: int) -> None:
    """Count one image upload; raise `rate_limited` (with retry-after) past the hourly limit."""
    rate_limit_hit(rule=_uploads_rule(), subject=str(user_id))


def image_submit(*, owner: User, purpose: str, storage_name: str, room_id: int | None = None) -> ModeratedImage:
    """Record a stored upload as pending and queue its moderation once the caller commits."""
    if purpose not in ImagePurpose.values:
        raise ValueError(f"unknown image purpose {purpose!r}")
    image = ModeratedImage.objects.create(owner=owner, purpose=purpose, storage_name=storage_name, room_id=room_id)
    task_send_on_commit("apps.moderation.tasks.moderate_image", image.pk)
    return image


def image_discard(*, owner: User, storage_name: str) -> None:
    """Forget a replaced upload: its pipeline row goes (the caller deletes the file after commit)."""
    ModeratedImage.objects.filter(owner=owner, storage_name=storage_name).delete()


@dataclass(frozen=True)
class ImageDecision:
    status: str
    reason: str


def decide_image(*, scores: dict[str, float]) -> ImageDecision:
    """Map category scores to a decision with the per-category thresholds setting."""
    thresholds = settings.MODERATION_IMAGE_THRESHOLDS
    borderline: list[str] = []
    for category, score in sorted(scores.items()):
        limits = thresholds.get(category, thresholds["default"])
        if score >= limits["reject"]:
            return ImageDecision(ImageStatus.REJECTED, f"{category} {score:.2f} ≥ {limits['reject']}")
        if score >= limits["review"]:
            borderline.append(f"{category} {score:.2f} ≥ {limits['review']}")
    if borderline:
        return ImageDecision(ImageStatus.NEEDS_REVIEW, "; ".join(borderline))
    return ImageDecision(ImageStatus.APPROVED, "")


def image_moderate(*, image_id: int) -> ModeratedImage | None:
    """Run the configured backend on a pending image and apply the decision.

    Idempotent: an image that is no longer pending (decided, or its owner deleted) is left
    alone. Raises ImageBackendError when the backend cannot answer, so the task retries.
    """
    image = ModeratedImage.objects.filter(pk=image_id, status=ImageStatus.PENDING).first()
    if image is None:
        return None
    with default_storage.open(image.storage_name, "rb") as handle:
        data = handle.read()
    backend = get_image_backend()
    scores = backend.scores(data)
    decision = decide_image(scores=scores)
    return _image_apply(
        image_id=image_id, status=decision.status, reason=decision.reason, backend=backend.name, scores=scores, actor=None
    )


def image_backend_gave_up(*, image_id: int, error: str) -> None:
    """After the last retry a human decides: the image waits in the queue as needing review."""
    _image_apply(
        image_id=image_id,
        status=ImageStatus.NEEDS_REVIEW,
        reason=f"backend error: {error}"[:300],
        backend="",
        scores={},
        actor=None,
    )


def image_review(*, image_id: int, moderator: User, approve: bool, reason: str) -> ModeratedImage:
    """A moderator's approve / reject of any image (pending, borderline or already decided)."""
    reason = require_reason(reason)
    image = _image_apply(
        image_id=image_id,
        status=ImageStatus.APPROVED if approve else ImageStatus.REJECTED,
        reason=reason,
        backend=None,
        scores=None,
        actor=moderator,
        from_any_status=True,
    )
    if image is None:
        raise DomainError(ErrorCode.IMAGE_NOT_FOUND, _("No such image."), http_status=404)
    return image


@transaction.atomic
def _image_apply(
    *,
    image_id: int,
    status: str,
    reason: str,
    backend: str | None,
    scores: dict | None,
    actor: User | None,
    from_any_status: bool = False,
) -> ModeratedImage | None:
    image = ModeratedImage.objects.select_for_update().filter(pk=image_id).first()
    if image is None or (not from_any_status and image.status != ImageStatus.PENDING):
        return None
    before = {"status": image.status}
    image.status = status
    image.reason = reason
    image.decided_at = timezone.now()
    if backend is not None:
        image.backend = backend
    if scores is not None:
        image.scores = scores
    image.save()
    audit_log(
        actor=actor,
        action=f"image_{status}",
        target_type="image",
        target_id=image.pk,
        target_user_id=image.owner_id,
        reason=reason,
        before=before,
        after={"status": status, "scores": image.scores},
    )
    _image_decided(image=image)
    return image


def _image_decided(*, image: ModeratedImage) -> None:
    """Tell the feature that owns the image (accounts: profile photos; chat: chat images)."""
    hooks.image_decided.send(image=image)
