"""Writes of the safety feature: images, text, reports, blocks, sanctions, the safety part of account data."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit
from apps.core.redis import get_redis
from apps.core.task_queue import task_send_on_commit
from apps.moderation import contact_guard, hooks, selectors, text_filters
from apps.moderation.errors import ErrorCode
from apps.moderation.image_backends import get_image_backend
from apps.moderation.models import (
    AccountStanding,
    Block,
    FlaggedContent,
    FlagKind,
    FlagStatus,
    HiddenWord,
    ImagePurpose,
    ImageStatus,
    ModeratedImage,
    ModerationAction,
    Report,
    ReportEvidence,
    ReportReason,
    ReportStatus,
    Standing,
)
from apps.moderation.protocol import ContactMaskedFrame
from apps.realtime.events import send_to_users
from apps.telemetry.metrics import Metric, gauge_set, metric_incr

# Moderation knows users through Django's user model contract, not through the accounts app
# (which sits above it: docs/architecture.md).
User = get_user_model()

REPORT_TEXT_MAX_LENGTH = 1000
HIDDEN_WORD_MAX_LENGTH = 40
HIDDEN_WORDS_MAX_PER_USER = 50
SYSTEM_ACTOR = "system"


def _reports_rule() -> RateLimit:
    return RateLimit("moderation-reports", settings.MODERATION_REPORTS_PER_DAY, 24 * 60 * 60)


def _uploads_rule() -> RateLimit:
    return RateLimit("moderation-uploads", settings.MODERATION_UPLOADS_PER_HOUR, 60 * 60)


# --- audit ---------------------------------------------------------------------------------


def _audit(
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


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ErrorCode.REASON_REQUIRED, _("Give a reason for this moderation action."), field="reason")
    return reason


# --- blocks --------------------------------------------------------------------------------


def block_create(*, blocker: User, blocked_user_id: int) -> Block:
    if blocker.pk == blocked_user_id:
        raise DomainError(ErrorCode.CANNOT_BLOCK_SELF, _("You cannot block yourself."))
    if not User.objects.filter(pk=blocked_user_id).exists():
        raise DomainError(ErrorCode.USER_NOT_FOUND, _("No such user."), http_status=404)
    try:
        with transaction.atomic():
            block = Block.objects.create(blocker=blocker, blocked_id=blocked_user_id)
    except IntegrityError:
        return Block.objects.get(blocker=blocker, blocked_id=blocked_user_id)
    # The pair's 1:1 chats end at once (both are told); matching checks blocks itself.
    hooks.block_created.send(blocker_id=blocker.pk, blocked_id=blocked_user_id)
    return block


# --- uploads and the image pipeline ----------------------------------------------------------


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
    reason = _require_reason(reason)
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
    _audit(
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


# --- text ----------------------------------------------------------------------------------


def profile_text_check(*, text: str, field: str) -> None:
    """Refuse a nickname or bio that the filters catch (nothing is flagged: nothing was shown)."""
    if text and text_filters.screen_text(text).flagged:
        raise DomainError(
            ErrorCode.INAPPROPRIATE_TEXT,
            _("This contains words that are not allowed. Please rephrase it."),
            field=field,
        )


@dataclass(frozen=True)
class ScreenedMessage:
    text: str
    flag_id: int | None = None


def message_text_screen(*, sender_id: int, room_id: int, text: str, contact_guard: bool = False) -> ScreenedMessage:
    """Screen a chat message before it is stored.

    With `MODERATION_CHAT_TEXT_ACTION = "mask"` the caught words are masked and the message
    goes out; with "block" it is refused with `message_blocked`. Either way the original text
    is flagged for review. In a `contact_guard` room (lobbies, speed-dating rounds before a
    mutual yes) contact details are masked too and the sender is told why; repeated attempts
    are flagged. Call it outside the message's transaction: the flag must survive a refused
    message.
    """
    verdict = text_filters.screen_text(text)
    flag_id = None
    if verdict.flagged:
        action = settings.MODERATION_CHAT_TEXT_ACTION
        flag = FlaggedContent.objects.create(
            kind=FlagKind.MESSAGE, user_id=sender_id, room_id=room_id, text=text, matches=verdict.matches, action=action
        )
        if action == "block":
            raise DomainError(
                ErrorCode.MESSAGE_BLOCKED, _("This message contains words that are not allowed, so it was not sent.")
            )
        flag_id = flag.pk
    screened = verdict.masked if verdict.flagged else text
    if contact_guard:
        screened, contact_flag_id = contact_guard_mask(sender_id=sender_id, room_id=room_id, text=screened, original=text)
        flag_id = flag_id or contact_flag_id
    return ScreenedMessage(text=screened, flag_id=flag_id)


def text_holds_contacts(*, text: str) -> bool:
    """True when `text` holds a phone number, e-mail, URL or domain, or a messenger or social ID."""
    return bool(contact_guard.find_contacts(text))


def contact_guard_mask(*, sender_id: int, room_id: int, text: str, original: str) -> tuple[str, int | None]:
    """Mask contact details, tell the sender why (after commit), and flag the sender's
    CONTACT_GUARD_FLAG_AFTER-th attempt within CONTACT_GUARD_WINDOW_S for moderators.

    Returns the masked text and the id of the flag raised now, if any."""
    masked, kinds = contact_guard.mask_contacts(text)
    if not kinds:
        return text, None
    key = f"moderation:contact-attempts:{sender_id}"
    pipe = get_redis().pipeline()
    pipe.incr(key)
    pipe.expire(key, settings.CONTACT_GUARD_WINDOW_S, nx=True)
    attempts = pipe.execute()[0]
    flag_id = None
    if attempts == settings.CONTACT_GUARD_FLAG_AFTER:
        flag_id = FlaggedContent.objects.create(
            kind=FlagKind.MESSAGE,
            user_id=sender_id,
            room_id=room_id,
            text=original,
            matches=[f"contact:{kind}" for kind in kinds] + [f"attempts:{attempts}"],
            action="mask",
        ).pk
    frame: ContactMaskedFrame = {
        "type": "safety.contact_masked",
        "room": room_id,
        "kinds": kinds,
        "message": str(_("연락처는 서로 '다시 만나고 싶어요'를 누른 뒤에 주고받을 수 있어요")),
    }
    send_to_users([sender_id], frame)
    return masked, flag_id


def flags_attach_messages(*, seqs_by_flag: dict[int, int]) -> None:
    """Point flags (which know their room) at the seq of the message their masked text became."""
    for flag_id, seq in seqs_by_flag.items():
        FlaggedContent.objects.filter(pk=flag_id).update(message_seq=seq)


def flags_discard(*, flag_ids: list[int]) -> None:
    """Drop flags that turned out to repeat one already queued (a resent message); only
    unreviewed ones: a decision already taken on a flag is never undone here."""
    if flag_ids:
        FlaggedContent.objects.filter(pk__in=flag_ids, message_seq__isnull=True, status=FlagStatus.OPEN).delete()


def hidden_word_add(*, user: User, word: str) -> HiddenWord:
    word = (word or "").strip()
    if not 1 <= len(word) <= HIDDEN_WORD_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_HIDDEN_WORD,
            _("A hidden word must be 1 to %(max)d characters.") % {"max": HIDDEN_WORD_MAX_LENGTH},
            field="word",
        )
    if HiddenWord.objects.filter(user=user).count() >= HIDDEN_WORDS_MAX_PER_USER:
        raise DomainError(
            ErrorCode.TOO_MANY_HIDDEN_WORDS,
            _("You can hide at most %(max)d words.") % {"max": HIDDEN_WORDS_MAX_PER_USER},
            field="word",
        )
    hidden, _created = HiddenWord.objects.get_or_create(user=user, word=word)
    return hidden


def hidden_word_remove(*, user: User, word: str) -> None:
    HiddenWord.objects.filter(user=user, word=(word or "").strip()).delete()


# --- reports -------------------------------------------------------------------------------


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
    event_id = Room.objects.filter(pk=room_id).values_list("event_id", flat=True).first() if room_id else None
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
    _audit(
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


# --- moderator decisions -------------------------------------------------------------------

SANCTIONS = ("warn", "suspend", "ban")


def _standing_state(standing: AccountStanding) -> dict:
    return {
        "standing": standing.standing,
        "suspended_until": standing.suspended_until.isoformat() if standing.suspended_until else None,
        "warnings": standing.warnings,
        "hidden_pending_review": standing.hidden_pending_review,
    }


@transaction.atomic
def user_sanction(*, user_id: int, moderator: User, action: str, reason: str) -> AccountStanding:
    """warn / suspend / ban / clear a user. Any decision ends an auto-hide: a human has looked."""
    reason = _require_reason(reason)
    if action not in (*SANCTIONS, "clear"):
        raise DomainError(ErrorCode.INVALID_ACTION, _("Unknown moderation action."))
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise DomainError(ErrorCode.USER_NOT_FOUND, _("No such user."), http_status=404)
    standing, _created = AccountStanding.objects.select_for_update().get_or_create(user=user)
    before = _standing_state(standing)
    standing.hidden_pending_review = False
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
    standing.save()
    _audit(
        actor=moderator,
        action=action,
        target_type="user",
        target_id=user_id,
        target_user_id=user_id,
        reason=reason,
        before=before,
        after=_standing_state(standing),
    )
    return standing


def _require_resolution(*, action: str, reason: str) -> str:
    reason = _require_reason(reason)
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
    extra_fields: tuple[str, ...] = (),
) -> None:
    """Close a queue item (report or flag): sanction its user unless dismissed, save, audit."""
    before = {"status": item.status}
    if action != "dismiss" and target_user_id is not None:
        user_sanction(user_id=target_user_id, moderator=moderator, action=action, reason=reason)
    dismissed_status, actioned_status = statuses
    item.status = dismissed_status if action == "dismiss" else actioned_status
    item.save(update_fields=["status", *extra_fields])
    _audit(
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
def report_resolve(*, report_id: int, moderator: User, action: str, reason: str) -> Report:
    """Dismiss a report, or act on it with warn / suspend / ban of the reported user."""
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
        extra_fields=("resolved_at",),
    )
    ReportEvidence.objects.filter(report=report, purge_after__isnull=True).update(purge_after=_evidence_purge_time())
    return report


@transaction.atomic
def flag_resolve(*, flag_id: int, moderator: User, action: str, reason: str) -> FlaggedContent:
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
    )
    return flag


# --- account export and deletion -------------------------------------------------------------


def _evidence_purge_time():
    return timezone.now() + timedelta(days=settings.MODERATION_EVIDENCE_RETENTION_DAYS)


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
    ReportEvidence.objects.filter(report__in=involved, purge_after__isnull=True).update(purge_after=_evidence_purge_time())
    _audit(actor=None, action="account_deleted", target_type="user", target_id=user_id, target_user_id=user_id)
    return storage_names


def moderation_backlog_publish() -> dict[str, float]:
    """Publish the open moderation work as gauges for the dashboard and the 24 h alert rule."""
    counts = selectors.moderation_queue_counts()
    oldest = selectors.moderation_oldest_open_created_at()
    backlog = counts["images"] + counts["reports"] + counts["flags"]
    gauge_set(Metric.MODERATION_BACKLOG, backlog)
    # 0 means "nothing pending": the stale-item rule reads a missing or zero timestamp as healthy.
    oldest_ts = oldest.timestamp() if oldest else 0
    gauge_set(Metric.MODERATION_OLDEST_TS, oldest_ts)
    return {"backlog": backlog, "oldest_ts": oldest_ts}


def evidence_purge_expired() -> int:
    deleted, _details = ReportEvidence.objects.filter(purge_after__lt=timezone.now()).delete()
    return deleted
