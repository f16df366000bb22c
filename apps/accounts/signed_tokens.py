"""Signed, expiring tokens for the links the accounts app mails (address confirmation, e-mail
change): Django's signing of a small JSON object with a timestamp, under SECRET_KEY.

Nothing is stored: a changed byte breaks the signature and the age is checked when the token
comes back. Each flow has its own salt, so a token made for one is refused by the others;
each maps TokenExpired and TokenInvalid to its own DomainError codes.
"""

from typing import Any

from django.core import signing


class TokenExpired(Exception):
    """The signature holds, but the token is older than the flow allows."""


class TokenInvalid(Exception):
    """Tampered, cut short, made under another salt, or not an object."""


def token_make(payload: dict[str, Any], *, salt: str) -> str:
    return signing.dumps(payload, salt=salt)


def token_read(token: str, *, salt: str, max_age_s: int) -> dict[str, Any]:
    """The object a token was made for; raises TokenExpired or TokenInvalid."""
    try:
        data = signing.loads(token or "", salt=salt, max_age=max_age_s)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    if not isinstance(data, dict):
        raise TokenInvalid
    return data
