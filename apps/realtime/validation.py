"""Small validators shared by frame handlers: each raises DomainError with a precise message."""

from typing import Any

from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.realtime.protocol import ErrorCode

# Ids and seqs are PostgreSQL bigints: a larger number would fail in the database, and with
# it a chat write batch shared with other people's messages.
MAX_FRAME_INT = 2**63 - 1


def require_int(frame: dict[str, Any], field: str) -> int:
    value = frame.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FRAME_INT:
        raise DomainError(
            ErrorCode.INVALID_FRAME,
            _("'%(field)s' must be an integer from 0 to %(max)d.") % {"field": field, "max": MAX_FRAME_INT},
            field=field,
        )
    return value


def require_str(frame: dict[str, Any], field: str, *, max_length: int) -> str:
    value = frame.get(field)
    if not isinstance(value, str):
        raise DomainError(ErrorCode.INVALID_FRAME, _("'%(field)s' must be a string.") % {"field": field}, field=field)
    if len(value) > max_length:
        raise DomainError(
            ErrorCode.INVALID_FRAME,
            _("'%(field)s' must be at most %(max)d characters.") % {"field": field, "max": max_length},
            field=field,
        )
    return value
