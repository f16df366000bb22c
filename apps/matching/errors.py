"""The codes of the DomainErrors the matching app raises (stable: clients and tests match on them)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_QUEUED = "already_queued"
    MATCH_CONFIRMING = "match_confirming"
    QUEUE_RESTORING = "queue_restoring"
