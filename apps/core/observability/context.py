"""The ids every log line carries, held in a context variable.

Web requests (`middleware.RequestContextMiddleware`), WebSocket connections
(`apps.realtime.consumers`) and Celery tasks (`matchminds.celery`) bind them; a logging
filter copies them onto each record, so the JSON formatter writes them as fields. Publishing
a task copies the web side's ids into a message header, so the worker's lines carry the
request or connection that caused them.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar, Token
from typing import Any

# Fields a log record can carry; also the keys of the Celery header.
CONTEXT_FIELDS = ("request_id", "user_id", "connection_id", "task_id", "task_name")
# Ids handed from the web side to a task it publishes (a task's own id is its own).
PROPAGATED_FIELDS = ("request_id", "user_id", "connection_id")
CELERY_HEADER = "mm_log_context"
# An incoming X-Request-ID is kept only when it looks like an id (a load balancer's, a client's).
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

_log_context: ContextVar[dict[str, Any]] = ContextVar("mm_log_context", default={})  # noqa: B039 never mutated


def new_id() -> str:
    return uuid.uuid4().hex


def request_id_from_header(value: str | None) -> str:
    return value if value and _REQUEST_ID_PATTERN.match(value) else new_id()


def current() -> dict[str, Any]:
    return _log_context.get()


def bind(**fields: Any) -> Token:
    """Add fields to the current context; returns the token that `reset` takes to undo it."""
    return _log_context.set({**_log_context.get(), **{k: v for k, v in fields.items() if v is not None}})


def reset(token: Token) -> None:
    _log_context.reset(token)


def replace(fields: dict[str, Any]) -> Token:
    return _log_context.set({k: v for k, v in fields.items() if k in CONTEXT_FIELDS and v is not None})


def propagated() -> dict[str, Any]:
    context = _log_context.get()
    return {key: context[key] for key in PROPAGATED_FIELDS if key in context}


class LogContextFilter(logging.Filter):
    """Copies the bound ids (and the active trace and span ids) onto every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _log_context.get().items():
            setattr(record, key, value)
        trace_ids = _trace_ids()
        if trace_ids:
            record.trace_id, record.span_id = trace_ids
        return True


def _trace_ids() -> tuple[str, str] | None:
    from . import tracing

    if not tracing.is_configured():
        return None
    from opentelemetry import trace

    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return f"{span_context.trace_id:032x}", f"{span_context.span_id:016x}"


def clear(**_signal_kwargs: Any) -> None:
    """Forget every id (connected to request_finished: nothing of a request outlives it)."""
    _log_context.set({})
