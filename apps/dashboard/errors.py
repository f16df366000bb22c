"""The codes of the DomainErrors the dashboard app raises (stable: clients and tests match on them)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    EVENT_NOT_FOUND = "event_not_found"
    FORBIDDEN = "forbidden"
