"""The codes of the DomainErrors the policies app raises (stable: clients and tests match on them)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    TERMS_NOT_ACCEPTED = "terms_not_accepted"
    POLICY_OUTDATED = "policy_outdated"
    POLICY_NOT_FOUND = "policy_not_found"
    POLICY_PUBLISHED = "policy_published"
