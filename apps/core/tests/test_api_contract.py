"""The JSON API keeps the contract that /api/schema/ states, under generated input.

schemathesis reads the schema the app serves and, for every operation, generates requests
that fit it and requests that break it, then sends them to the Django app (real
PostgreSQL and Redis) as a signed-in student. Each response must not be a 5xx, must use
a documented status and content type and match the documented body (the error envelope
included), and a request that breaks the schema must be refused.
"""

import secrets
from collections.abc import Iterator

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from apps.accounts.tests.factories import make_profile

CONTRACT_CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]


@pytest.fixture(autouse=True)
def requests_keep_the_test_transaction(db) -> Iterator[None]:
    """As Django's test client does: a request's end must not close the connection that
    holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def student_credentials(db) -> dict[str, dict[str, str]]:
    """A signed-in student's session cookie, and a CSRF token for unsafe methods."""
    client = Client()
    client.force_login(make_profile().user)
    csrf_secret = secrets.token_hex(16)  # 32 characters: Django compares an unmasked token with the cookie as is
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: csrf_secret,
        },
        "headers": {"X-CSRFToken": csrf_secret},
    }


# Loaded at collection (pytest-django has set Django up by then); serving it reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure here is reproducible, never flaky
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_keeps_its_documented_contract(case, student_credentials):
    case.call_and_validate(checks=CONTRACT_CHECKS, **student_credentials)
