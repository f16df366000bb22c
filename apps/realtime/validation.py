"""The gateway's checks of a frame's raw text, before and right after decoding (the fields of
each frame type are checked from its TypedDict: apps.realtime.frame_schema)."""

import re
from typing import Any

from apps.realtime.protocol import MAX_FRAME_NESTING

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
