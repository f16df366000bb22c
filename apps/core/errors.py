"""The one domain error type that services raise and every edge translates."""

from enum import StrEnum

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the product was not met; nothing was changed.

    `code` is stable and machine-readable; `message` is translated for people;
    `field` names the input at fault when there is one; `http_status` is the edge's hint;
    `retry_after_s` is set when waiting helps (rate limits, resend throttles).
    """

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        field: str | None = None,
        http_status: int = 400,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(str(message))
        # A plain str on the wire and in logs, whichever app's ErrorCode member it came from.
        self.code = str(code)
        self.message = message
        self.field = field
        self.http_status = http_status
        self.retry_after_s = retry_after_s

    def as_dict(self) -> dict:
        payload = {"code": self.code, "message": str(self.message)}
        if self.field:
            payload["field"] = self.field
        if self.retry_after_s is not None:
            payload["retry_after_s"] = self.retry_after_s
        return payload


class ErrorCode(StrEnum):
    """Codes of the platform's DomainErrors. Each app keeps its own `ErrorCode` (errors.py, or
    protocol.py for chat and the gateway); a test refuses raw string codes."""

    RATE_LIMITED = "rate_limited"
