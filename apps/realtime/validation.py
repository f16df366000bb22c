"""The gateway's checks of a frame's raw text, before and right after decoding (the fields of
each frame type are checked from its TypedDict: apps.realtime.frame_schema)."""

import json
import re
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from apps.realtime.protocol import MAX_FRAME_BYTES, MAX_FRAME_NESTING, MAX_REF_LENGTH, ErrorCode

# JSON escapes that decode to text PostgreSQL cannot store (NUL) or UTF-8 cannot encode (a
# lone surrogate); the raw text of a frame is valid UTF-8 (the server checked it).
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def holds_unusable_text(raw: str, frame: Any) -> bool:
    """True when a decoded frame holds a NUL character or an unpaired surrogate anywhere.

    Only frames whose raw text holds such an escape are walked (escaped emoji pairs are
    walked too, and pass).
    """
    return bool(_SUSPECT_ESCAPE.search(raw)) and _has_unusable_text(frame)


def _has_unusable_text(value: Any) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_unusable_text(key) or _has_unusable_text(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_unusable_text(item) for item in value)
    return False


# A JSON string (escapes included) or one bracket, in the raw text of a frame.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nests_too_deep(raw: str) -> bool:
    """True when the JSON text opens more than MAX_FRAME_NESTING arrays or objects inside one
    another (brackets inside strings do not count).

    Nearly every frame holds fewer brackets than the limit in all and is not scanned further.
    """
    if raw.count("[") + raw.count("{") <= MAX_FRAME_NESTING:
        return False
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(raw):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_FRAME_NESTING:
                return True
        elif bracket in ("]", "}"):
            depth -= 1
    return False


class Refusal(NamedTuple):
    """The error that refuses a frame as it is read (see `checked_frame`)."""

    code: str
    message: str


def ref_is_valid(frame: dict[str, Any]) -> bool:
    ref = frame.get("ref")
    return ref is None or (isinstance(ref, str) and len(ref) <= MAX_REF_LENGTH)


def checked_frame(text_data: str | None) -> "Any | Refusal":
    """The decoded frame, or the error that refuses it (size, nesting, JSON, unusable text)."""
    if text_data is None:
        return Refusal(ErrorCode.BINARY_NOT_SUPPORTED, _("Binary frames are not supported; send JSON text."))
    if len(text_data.encode("utf-8")) > MAX_FRAME_BYTES:
        return Refusal(ErrorCode.FRAME_TOO_LARGE, _("The frame is larger than %(limit)d bytes.") % {"limit": MAX_FRAME_BYTES})
    if nests_too_deep(text_data):
        # Checked before decoding: json's recursion ran out on ~1,000 levels and the
        # RecursionError closed the socket with 1011.
        return Refusal(
            ErrorCode.INVALID_FRAME,
            _("The frame nests arrays or objects more than %(limit)d levels deep.") % {"limit": MAX_FRAME_NESTING},
        )
    try:
        frame = json.loads(text_data)
    except ValueError:
        return Refusal(ErrorCode.MALFORMED_JSON, _("The frame is not valid JSON."))
    if holds_unusable_text(text_data, frame):
        # Refused here, for every frame type: stored, a NUL failed the whole chat write
        # batch (other people's sends with it); echoed in an error, a lone surrogate
        # could not be encoded and the socket was dropped.
        return Refusal(ErrorCode.INVALID_FRAME, _("The frame holds a NUL character or an unpaired surrogate (\\u0000, \\ud800)."))
    return frame
