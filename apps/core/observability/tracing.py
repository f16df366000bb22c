"""OpenTelemetry traces over OTLP/HTTP: off unless an OTLP endpoint is configured.

`configure(component=...)` runs once per process before it serves anything: in the web
process from `matchminds/asgi.py` (before Django loads its middleware), in each Celery
worker process from `matchminds/celery.py` (after the fork, so the exporter's thread lives
in the process that records spans). It instruments Django, Celery (the web side's publish
and the worker's run share one trace through the message headers), psycopg and redis-py;
WebSocket frames get a span each from `frame_span`. The exporter, sampler and batch sizes
read the standard OTEL_* variables.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.conf import settings

_configured = False


def is_configured() -> bool:
    return _configured


def configure(*, component: str) -> bool:
    """Set up tracing for this process when settings.TRACING_ENABLED; returns whether it did."""
    global _configured
    if _configured or not settings.TRACING_ENABLED:
        return _configured
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    service = settings.TRACING_SERVICE_NAME or f"matchminds-{component}"
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service, "matchminds.component": component}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument(is_sql_commentor_enabled=False)
    CeleryInstrumentor().instrument()
    PsycopgInstrumentor().instrument(enable_commenter=False)
    RedisInstrumentor().instrument()
    _configured = True
    return True


# Returned for every frame while tracing is off: no generator, no allocation on the chat's hot path.
_NO_SPAN = contextlib.nullcontext()


def frame_span(frame_type: str, *, user_id: int | None) -> contextlib.AbstractContextManager:
    """One span per WebSocket frame handled (a root span: a socket lives too long to be one trace)."""
    return _frame_span(frame_type, user_id) if _configured else _NO_SPAN


@contextlib.contextmanager
def _frame_span(frame_type: str, user_id: int | None) -> Iterator[None]:
    from opentelemetry import context as otel_context
    from opentelemetry import trace

    tracer = trace.get_tracer("matchminds.realtime")
    attributes = {"websocket.frame.type": frame_type[:64], "enduser.id": str(user_id) if user_id else ""}
    with tracer.start_as_current_span(
        f"websocket frame {frame_type[:64]}",
        context=otel_context.Context(),
        kind=trace.SpanKind.SERVER,
        attributes=attributes,
    ):
        yield
