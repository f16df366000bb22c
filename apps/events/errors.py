"""The codes of the DomainErrors the events app raises (stable: clients and tests match on them)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    EVENT_FULL = "event_full"
    EVENT_NOT_FOUND = "event_not_found"
    EVENT_NOT_LIVE = "event_not_live"
    OUT_OF_SCOPE = "out_of_scope"
    VERIFICATION_REQUIRED = "verification_required"
    IDENTITY_REQUIRED = "identity_required"
    ALREADY_SIGNED_UP = "already_signed_up"
    CALENDAR_TOKEN_INVALID = "calendar_token_invalid"  # noqa: S105 - an error code
    NOT_YOUR_SIGNUP = "not_your_signup"
    SIGNUP_ALREADY_CANCELLED = "signup_already_cancelled"
    SIGNUP_CLOSED = "signup_closed"
    SIGNUP_NOT_FOUND = "signup_not_found"
