"""The codes of the DomainErrors the accounts app raises (stable: clients and tests match on them)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ACCOUNT_CONFLICT = "account_conflict"
    ACCOUNT_DISABLED = "account_disabled"
    BIO_TOO_LONG = "bio_too_long"
    CODE_EXPIRED = "code_expired"
    EMAIL_MISSING = "email_missing"
    EMAIL_TAKEN = "email_taken"
    EMAIL_UNVERIFIED = "email_unverified"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
    INVALID_BIRTH_DATE = "invalid_birth_date"
    INVALID_EMAIL = "invalid_email"
    INVALID_GENDER = "invalid_gender"
    INVALID_IMAGE = "invalid_image"
    INVALID_INTEREST = "invalid_interest"
    INVALID_NICKNAME = "invalid_nickname"
    INVALID_REGION = "invalid_region"
    INVALID_SEEKING = "invalid_seeking"
    INVALID_UNIVERSITY = "invalid_university"
    LOGIN_THROTTLED = "login_throttled"
    NICKNAME_TAKEN = "nickname_taken"
    NO_PENDING_CODE = "no_pending_code"
    NOT_AUTHENTICATED = "not_authenticated"
    PROFILE_INCOMPLETE = "profile_incomplete"
    RESEND_THROTTLED = "resend_throttled"
    SUBJECT_MISSING = "subject_missing"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    TOO_MANY_INTERESTS = "too_many_interests"
    UNDERAGE = "underage"
    UNIVERSITY_MISMATCH = "university_mismatch"
    UNKNOWN_UNIVERSITY_DOMAIN = "unknown_university_domain"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - an error code
    WRONG_CODE = "wrong_code"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - an error code
