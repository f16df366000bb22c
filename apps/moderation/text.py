"""Text screening: profile text, chat messages (masked or refused, and flagged for review),
and each user's hidden words."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.redis import get_redis
from apps.moderation import contact_guard, events, text_filters
from apps.moderation.errors import ErrorCode
from apps.moderation.models import (
    FlaggedContent,
    FlagKind,
    FlagStatus,
    HiddenWord,
)

# Moderation knows users through Django's user model contract (docs/architecture.md).
User = get_user_model()

HIDDEN_WORD_MAX_LENGTH = 40


HIDDEN_WORDS_MAX_PER_USER = 50


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
    events.contact_masked(sender_id=sender_id, room_id=room_id, kinds=kinds)
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
