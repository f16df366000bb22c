"""The pluggable identity check (IDENTITY_VERIFIER).

`self_declared`: the student vouches that the birth date and gender of their profile are
true (today's behaviour, the default for `make run`); nothing is locked.

`mobile`: shaped like the Korean mobile identity services (PASS, NICE). The browser is sent
to the provider's page with a one-time request id and our return address; the provider
answers by posting back a callback with the person's CI (a per-person value the identity
agencies derive from the resident number), name, birth date and gender, the request id,
when it was issued, and an HMAC-SHA256 signature over all of them under the secret shared
with the provider (IDENTITY_CLIENT_SECRET).
"""

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from apps.accounts.errors import ErrorCode
from apps.core.errors import DomainError

CALLBACK_FIELDS = ("client_id", "request_id", "ci", "name", "birth_date", "gender", "issued_at")
SELF_DECLARED = "self_declared"
MOBILE = "mobile"


@dataclass(frozen=True)
class VerifiedPerson:
    request_id: str
    ci: str
    name: str
    birth_date: date
    gender: str


def callback_signature(*, fields: dict[str, str], secret: str) -> str:
    """The provider's signature: HMAC-SHA256 over `key=value` lines in CALLBACK_FIELDS order."""
    message = "\n".join(f"{key}={fields.get(key, '')}" for key in CALLBACK_FIELDS)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def mobile_start_url(*, request_id: str, return_url: str) -> str:
    query = urlencode({"client_id": settings.IDENTITY_CLIENT_ID, "request_id": request_id, "return_url": return_url})
    return f"{settings.IDENTITY_PROVIDER_URL.rstrip('/')}/start?{query}"


def _forged() -> DomainError:
    return DomainError(
        ErrorCode.IDENTITY_CALLBACK_FORGED,
        _("The identity check's answer failed a security check. Nothing was changed; please start again."),
    )


def mobile_callback_verify(*, fields: dict[str, str], now_s: float | None = None) -> VerifiedPerson:
    """The person a callback vouches for; raises DomainError when its signature is wrong,
    its fields are malformed, or it is older than IDENTITY_CALLBACK_MAX_AGE_S."""
    expected = callback_signature(fields=fields, secret=settings.IDENTITY_CLIENT_SECRET)
    if not hmac.compare_digest(expected, fields.get("signature", "")) or fields.get("client_id") != settings.IDENTITY_CLIENT_ID:
        raise _forged()
    try:
        issued_at = int(fields["issued_at"])
        birth_date = datetime.strptime(fields["birth_date"], "%Y%m%d").date()  # noqa: DTZ007 - a date, no time zone
    except (KeyError, ValueError):
        raise _forged() from None
    if fields.get("gender") not in {"M", "F"} or not fields.get("ci") or not fields.get("request_id"):
        raise _forged()
    age_s = (now_s if now_s is not None else time.time()) - issued_at
    if age_s > settings.IDENTITY_CALLBACK_MAX_AGE_S or age_s < -60:
        raise DomainError(
            ErrorCode.IDENTITY_CALLBACK_EXPIRED,
            _("The identity check took too long and its answer expired. Nothing was changed; please start again."),
            http_status=410,
        )
    return VerifiedPerson(
        request_id=fields["request_id"],
        ci=fields["ci"],
        name=fields.get("name", "")[:60],
        birth_date=birth_date,
        gender=fields["gender"],
    )
