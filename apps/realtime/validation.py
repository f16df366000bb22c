"""Small validators shared by frame handlers: each raises DomainError with a precise message."""

from typing import Any

from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.realtime.protocol import ErrorCode


def require_int(frame: dict[str, Any], field: str) -> int:
    value = frame.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError(
            ErrorCode.INVALID_FRAME, _("'%(field)s' must be a non-negative integer.") % {"field": field}, field=field
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
