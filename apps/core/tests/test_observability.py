"""Log context ids (request, WebSocket connection), error reports to Sentry, per-response framing."""

import gzip
import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.test import Client, RequestFactory

from apps.accounts.tests.factories import make_user
from apps.core.observability import context as log_context
from apps.core.observability import errors
from apps.core.observability.context import LogContextFilter
from apps.core.security import allow_framing
from apps.realtime import registry
from apps.realtime.tests.conftest import connect_as  # noqa: F401

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def context_records(caplog):
    """Log records as the console handler sees them: with the bound ids copied on."""
    caplog.handler.addFilter(LogContextFilter())
    caplog.set_level(logging.INFO)
    return caplog


@pytest.mark.django_db
def test_a_request_id_from_the_client_is_echoed_and_logged(context_records):
    user = make_user()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    response = client.get("/api/v1/no-such-thing/", headers={"X-Request-ID": "lb-trace-4711"})
    assert (response.status_code, response.headers["X-Request-ID"]) == (404, "lb-trace-4711")
    [record] = [r for r in context_records.records if r.name == "django.request"]
    assert (record.request_id, record.user_id) == ("lb-trace-4711", user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "short", "has spaces in it", "x" * 65])
def test_a_missing_or_malformed_request_id_is_replaced_by_a_fresh_one(header):
    log_context.bind(user_id=1234)
    headers = {"X-Request-ID": header} if header else {}
    response = Client(HTTP_HOST="localhost").get("/healthz", headers=headers)
    assert HEX_ID.match(response.headers["X-Request-ID"])
    # Nothing of an earlier request on the thread joins in, and nothing outlives the response.
    assert log_context.current() == {}


@pytest.mark.asyncio
async def test_frames_of_one_socket_run_with_its_connection_id_and_user(connect_as, monkeypatch):  # noqa: F811
    from asgiref.sync import sync_to_async

    seen: list[dict] = []

    async def probe(consumer, frame) -> None:
        seen.append(dict(log_context.current()))
        await consumer.send_frame({"type": "probed"})

    monkeypatch.setitem(registry.frame_handlers, "probe", probe)
    monkeypatch.setitem(registry.frame_checks, "probe", lambda frame: frame)
    user = await sync_to_async(make_user)()
    first, second = await connect_as(user), await connect_as(user)
    for communicator in (first, first, second):
        await communicator.receive_json_from(timeout=5)  # hello, then the probe's answer
        await communicator.send_json_to({"type": "probe"})
    await first.receive_json_from(timeout=5)
    assert [frame["user_id"] for frame in seen] == [user.pk] * 3
    assert HEX_ID.match(seen[0]["connection_id"])
    assert seen[0]["connection_id"] == seen[1]["connection_id"] != seen[2]["connection_id"]


class SentryIngest(ThreadingHTTPServer):
    """Stands in for Sentry's ingest at the DSN's host: keeps each envelope's items."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EnvelopeHandler)
        self.items: list[tuple[dict, dict]] = []
        self.paths: list[str] = []

    def events(self) -> list[dict]:
        return [payload for header, payload in self.items if header.get("type") == "event"]


class _EnvelopeHandler(BaseHTTPRequestHandler):
    server: SentryIngest

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        lines = body.split(b"\n")
        self.server.paths.append(self.path)
        # An envelope: a header line, then (item header, payload) line pairs.
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            self.server.items.append((json.loads(header), json.loads(payload)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def sentry_ingest(settings):
    server = SentryIngest()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SENTRY_DSN = f"http://publickey@127.0.0.1:{server.server_address[1]}/42"
    settings.SENTRY_ENVIRONMENT = "test"
    yield server
    sentry_sdk.init(dsn=None)
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
@pytest.mark.urls("apps.core.tests.failing_urls")
def test_an_unhandled_error_is_reported_to_the_sentry_dsn_with_the_request_id(sentry_ingest):
    assert errors.configure() is True
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    response = client.get("/broken/", headers={"X-Request-ID": "broken-request-01"})
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)
    assert sentry_ingest.paths == ["/api/42/envelope/"]
    [event] = sentry_ingest.events()
    [exception] = event["exception"]["values"]
    assert (exception["type"], exception["value"]) == ("RuntimeError", "the ledger does not balance")
    assert (event["environment"], event["tags"]["request_id"]) == ("test", "broken-request-01")


def test_error_reporting_stays_off_without_a_dsn(settings):
    settings.SENTRY_DSN = ""
    assert errors.configure() is False


def _through_header_middlewares(response: HttpResponse) -> HttpResponse:
    request = RequestFactory().get("/events/1/widget/")
    response = XFrameOptionsMiddleware(lambda r: response)(request)
    return CSPMiddleware(lambda r: response)(request)


def test_a_response_can_allow_named_origins_to_frame_it():
    framed = _through_header_middlewares(allow_framing(HttpResponse("widget"), origins=["https://univ.example"]))
    assert "frame-ancestors https://univ.example;" in framed.headers["Content-Security-Policy"] + ";"
    assert "X-Frame-Options" not in framed.headers
    default = _through_header_middlewares(HttpResponse("page"))
    assert "frame-ancestors 'none'" in default.headers["Content-Security-Policy"]
    assert default.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_binding_the_user_leaves_a_page_that_reads_no_session_cacheable():
    response = Client(HTTP_HOST="localhost").get("/healthz")
    assert "Cookie" not in response.get("Vary", "")
