"""Error reporting through the Sentry SDK, on when settings.SENTRY_DSN is set."""

from __future__ import annotations

from django.conf import settings


def configure() -> bool:
    """Initialise Sentry once per process (Django, Celery and logging integrations); returns whether it did."""
    if not settings.SENTRY_DSN:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        release=settings.SENTRY_RELEASE or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Traces go to OpenTelemetry; Sentry gets errors only (and, by default, no personal data).
        traces_sample_rate=0.0,
        before_send=_tag_with_log_context,
    )
    return True


def _tag_with_log_context(event: dict, _hint: dict) -> dict:
    """Tag each report with the request, user, connection and task ids its log lines carry."""
    from . import context

    event.setdefault("tags", {}).update({key: str(value) for key, value in context.current().items()})
    return event
