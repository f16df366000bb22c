from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.db import ids_in
from apps.moderation import hooks
from apps.moderation.errors import ErrorCode
from apps.moderation.models import (
    AccountStanding,
    Appeal,
    AppealStatus,
    Block,
    FlaggedContent,
    FlagStatus,
    HiddenWord,
    ImagePurpose,
    ImageStatus,
    ModeratedImage,
    Report,
    ReportStatus,
    Sanction,
    Standing,
)
from apps.moderation.text_filters import contains_hidden_word


def block_exists_between(*, user_id: int, other_user_id: int) -> bool:
    """True when either of the two has blocked the other."""
    return Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=other_user_id) | Q(blocker_id=other_user_id, blocked_id=user_id)
    ).exists()


def blocked_user_ids(*, user_id: int) -> set[int]:
    """Everyone the user must never meet: those they blocked and those who blocked them."""
    pairs = Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list("blocker_id", "blocked_id")
    return {blocked if blocker == user_id else blocker for blocker, blocked in pairs}


def blocks_made_by(*, user_id: int) -> list[dict]:
    """The people `user_id` blocked, newest first: id, nickname (through the user model's
    profile relation, as the moderation admin reads it) and when."""
    rows = (
        Block.objects.filter(blocker_id=user_id)
        .order_by("-created_at", "-pk")
        .values_list("blocked_id", "blocked__profile__nickname", "created_at")
    )
    return [{"user_id": blocked_id, "nickname": nickname or "", "blocked_at": at} for blocked_id, nickname, at in rows]


def blocks_among(*, user_ids: list[int]) -> list[tuple[int, int]]:
    """Every block (blocker, blocked) between two of the given users, in one query (seating a round)."""
    if not user_ids:
        return []
    among = ids_in(user_ids)
    return list(Block.objects.filter(blocker_id__in=among, blocked_id__in=among).values_list("blocker_id", "blocked_id"))


def hidden_user_ids() -> set[int]:
    """Users nobody should meet right now: auto-hidden pending review, suspended or banned."""
    now = timezone.now()
    return set(
        AccountStanding.objects.filter(
            Q(hidden_pending_review=True) | Q(standing=Standing.BANNED) | Q(standing=Standing.SUSPENDED, suspended_until__gt=now)
        ).values_list("user_id", flat=True)
    )


def user_moderation_problem(*, user_id: int) -> tuple[str, str] | None:
    """Why moderation keeps the user away from matching and chat, as (code, message), or None."""
    standing = AccountStanding.objects.filter(user_id=user_id).first()
    if standing is None:
        return None
    if standing.standing == Standing.BANNED:
        return ErrorCode.ACCOUNT_BANNED, _("This account has been banned for breaking the community rules.")
    if standing.standing == Standing.SUSPENDED and standing.suspended_until and standing.suspended_until > timezone.now():
        until = timezone.localtime(standing.suspended_until).strftime("%Y-%m-%d %H:%M")
        return ErrorCode.ACCOUNT_SUSPENDED, _("This account is suspended until %(until)s.") % {"until": until}
    if standing.hidden_pending_review:
        return ErrorCode.ACCOUNT_UNDER_REVIEW, _("Your account is under review after several reports. We will let you know soon.")
    return None


def image_visible_to(*, image: ModeratedImage, viewer_id: int | None, viewer_is_staff: bool = False) -> bool:
    """The owner and staff see an image at any stage. Others see only an approved chat image,
    as a member of the room it was sent to and with no block between them and its sender; a
    profile photo is shown to others only by `accounts:photo` (apps.accounts.selectors)."""
    if viewer_id is not None and (viewer_id == image.owner_id or viewer_is_staff):
        return True
    if image.status != ImageStatus.APPROVED or viewer_id is None or image.purpose != ImagePurpose.CHAT_IMAGE:
        return False
    return hooks.room_has_member.call(room_id=image.room_id, user_id=viewer_id) and not block_exists_between(
        user_id=viewer_id, other_user_id=image.owner_id
    )


def hidden_words_for_user(*, user_id: int) -> list[str]:
    return list(HiddenWord.objects.filter(user_id=user_id).order_by("word").values_list("word", flat=True))


def text_collapsed_for(*, text: str, hidden_words: list[str]) -> bool:
    """Whether a message is shown collapsed to a reader with these hidden words."""
    return bool(hidden_words) and contains_hidden_word(text, hidden_words)


def _overdue_cutoff():
    return timezone.now() - timedelta(seconds=settings.MODERATION_OVERDUE_AFTER_S)


def moderation_queue_counts() -> dict[str, int]:
    """Open work and how much of it has waited longer than the 24 h promise (for alerts)."""
    cutoff = _overdue_cutoff()
    images = ModeratedImage.objects.filter(status__in=[ImageStatus.PENDING, ImageStatus.NEEDS_REVIEW])
    reports = Report.objects.filter(status=ReportStatus.OPEN)
    flags = FlaggedContent.objects.filter(status=FlagStatus.OPEN)
    appeals = Appeal.objects.filter(status=AppealStatus.OPEN)
    return {
        "images": images.count(),
        "reports": reports.count(),
        "flags": flags.count(),
        "appeals": appeals.count(),
        "overdue": images.filter(created_at__lt=cutoff).count()
        + reports.filter(created_at__lt=cutoff).count()
        + flags.filter(created_at__lt=cutoff).count()
        + appeals.filter(created_at__lt=cutoff).count(),
    }


def moderation_oldest_open_created_at():
    """When the oldest still-open item (image, report, flag or appeal) arrived, or None."""
    candidates = [
        ModeratedImage.objects.filter(status__in=[ImageStatus.PENDING, ImageStatus.NEEDS_REVIEW])
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first(),
        Report.objects.filter(status=ReportStatus.OPEN).order_by("created_at").values_list("created_at", flat=True).first(),
        FlaggedContent.objects.filter(status=FlagStatus.OPEN).order_by("created_at").values_list("created_at", flat=True).first(),
        Appeal.objects.filter(status=AppealStatus.OPEN).order_by("created_at").values_list("created_at", flat=True).first(),
    ]
    present = [created_at for created_at in candidates if created_at is not None]
    return min(present) if present else None


def item_is_overdue(*, created_at, is_open: bool) -> bool:
    return is_open and created_at < _overdue_cutoff()


def sanctions_in_effect(*, user_id: int) -> list[Sanction]:
    """The user's sanctions not lifted and not over (a warning stays until lifted)."""
    now = timezone.now()
    return list(
        Sanction.objects.filter(user_id=user_id, lifted_at__isnull=True).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )


def user_is_banned(*, user_id: int) -> bool:
    return AccountStanding.objects.filter(user_id=user_id, standing=Standing.BANNED).exists()
