"""The codes of the DomainErrors the moderation app raises (stable: clients and tests match on them)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ACCOUNT_BANNED = "account_banned"
    ACCOUNT_SUSPENDED = "account_suspended"
    ACCOUNT_UNDER_REVIEW = "account_under_review"
    CANNOT_BLOCK_SELF = "cannot_block_self"
    CANNOT_REPORT_SELF = "cannot_report_self"
    DUPLICATE_REPORT = "duplicate_report"
    FLAG_NOT_FOUND = "flag_not_found"
    IMAGE_NOT_FOUND = "image_not_found"
    INAPPROPRIATE_TEXT = "inappropriate_text"
    INVALID_ACTION = "invalid_action"
    INVALID_HIDDEN_WORD = "invalid_hidden_word"
    INVALID_REASON = "invalid_reason"
    MESSAGE_BLOCKED = "message_blocked"
    NOT_BLOCKED = "not_blocked"
    REASON_REQUIRED = "reason_required"
    REPORT_NOT_FOUND = "report_not_found"
    REPORT_TEXT_TOO_LONG = "report_text_too_long"
    ROOM_REQUIRED = "room_required"
    TOO_MANY_HIDDEN_WORDS = "too_many_hidden_words"
    USER_NOT_FOUND = "user_not_found"
