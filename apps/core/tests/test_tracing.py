"""One request's (or WebSocket frame's) trace and log ids cross from a real daphne into a real Celery worker."""

import json
import re
import time

import pytest
import requests
from django.test import Client
from websockets.sync.client import connect

from apps.accounts.tests.factories import make_profile
from apps.core.tests.otlp_receiver import ReceivedSpan, otlp_receiver
from apps.events.tests.factories import make_event
from conftest import ARTIFACTS, run_celery_worker, run_daphne

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DRAIN_TASK = "apps.matching.tasks.drain_arrivals"
CSRF_TOKEN = "t" * 32
SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5  # opentelemetry.proto Span.SpanKind
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def _signed_in_session(user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    session.cookies.set("csrftoken", CSRF_TOKEN)
    session.headers["X-CSRFToken"] = CSRF_TOKEN
    return session


def _wait_for_span(receiver, predicate, timeout_s: float = 30) -> ReceivedSpan:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [span for span in receiver.received() if predicate(span)]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no such span among {sorted({(s.service, s.name) for s in receiver.received()})}")


def _json_lines(path) -> list[dict]:
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_a_queue_join_is_one_trace_from_daphne_through_the_celery_task_and_its_logs_carry_the_request_id():
    event = make_event()
    woman = make_profile(gender="F", seeking="M")
    worker_log = ARTIFACTS / "celery-worker-tracing.log"
    worker_log.unlink(missing_ok=True)
    with otlp_receiver() as receiver:
        telemetry = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "LOG_FORMAT": "json",
        }
        with run_celery_worker(extra_env=telemetry, log_name=worker_log.name), run_daphne(extra_env=telemetry) as base_url:
            # Given tracing is on in web and worker, when a student joins the queue over HTTP
            response = _signed_in_session(woman.user).post(
                f"{base_url}/api/v1/events/{event.pk}/queue/", headers={"X-Request-ID": "join-request-0001"}, timeout=10
            )
            assert (response.status_code, response.headers["X-Request-ID"]) == (201, "join-request-0001")
            # then the worker's run of the pairing task that the join published ...
            run = _wait_for_span(receiver, lambda s: s.service == "matchminds-worker" and s.name == f"run/{DRAIN_TASK}")
            time.sleep(0.5)  # the web side's last batch
        spans = [span for span in receiver.received() if span.trace_id == run.trace_id]

    # ... shares one trace with the web request that published it.
    by_id = {span.span_id: span for span in spans}
    publish = by_id[run.parent_span_id]
    request = by_id[publish.parent_span_id]
    assert (publish.service, publish.name, publish.kind) == ("matchminds-web", f"apply_async/{DRAIN_TASK}", PRODUCER)
    assert (request.service, request.name, request.kind, request.parent_span_id) == (
        "matchminds-web",
        "POST api/v1/events/<int:event_id>/queue/",
        SERVER,
        "",
    )
    assert request.attributes["http.status_code"] == "201"
    assert run.kind == CONSUMER
    # PostgreSQL and Redis calls of both sides are spans of the same trace.
    databases = {(s.service, s.attributes["db.system"]) for s in spans if s.kind == CLIENT}
    assert {("matchminds-web", "postgresql"), ("matchminds-web", "redis"), ("matchminds-worker", "redis")} <= databases

    # The worker's JSON log lines for the task carry the request id and user of the web request.
    task_lines = [line for line in _json_lines(worker_log) if line.get("task_name") == DRAIN_TASK]
    assert task_lines, "the worker logged nothing for the task"
    assert {(line["request_id"], line["user_id"], line["trace_id"]) for line in task_lines} == {
        ("join-request-0001", woman.user_id, run.trace_id)
    }


def test_a_websocket_frame_is_the_root_of_the_trace_of_the_task_it_publishes_and_its_connection_id_is_logged():
    event = make_event()
    man = make_profile(gender="M", seeking="F")
    worker_log = ARTIFACTS / "celery-worker-tracing-ws.log"
    worker_log.unlink(missing_ok=True)
    with otlp_receiver() as receiver:
        telemetry = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100", "LOG_FORMAT": "json"}
        with run_celery_worker(extra_env=telemetry, log_name=worker_log.name), run_daphne(extra_env=telemetry) as base_url:
            cookie = _signed_in_session(man.user).cookies["sessionid"]
            # Given a signed-in socket, when it sends a queue.join frame
            with connect(
                base_url.replace("http", "ws") + "/ws/", origin=base_url, additional_headers={"Cookie": f"sessionid={cookie}"}
            ) as socket:
                assert json.loads(socket.recv(timeout=10))["type"] == "hello"
                socket.send(json.dumps({"type": "queue.join", "event": event.pk}))
                assert json.loads(socket.recv(timeout=10))["type"] == "queue.status"
                run = _wait_for_span(receiver, lambda s: s.service == "matchminds-worker" and s.name == f"run/{DRAIN_TASK}")
                time.sleep(0.5)
        spans = [span for span in receiver.received() if span.trace_id == run.trace_id]

    # then the frame's span is the root of a trace that runs through the published task
    by_id = {span.span_id: span for span in spans}
    publish = by_id[run.parent_span_id]
    frame = by_id[publish.parent_span_id]
    assert (frame.service, frame.name, frame.kind, frame.parent_span_id) == (
        "matchminds-web",
        "websocket frame queue.join",
        SERVER,
        "",
    )
    assert (frame.attributes["websocket.frame.type"], frame.attributes["enduser.id"]) == ("queue.join", str(man.user_id))
    # and the worker's lines for the task carry the socket's connection id and user.
    task_lines = [line for line in _json_lines(worker_log) if line.get("task_name") == DRAIN_TASK]
    assert task_lines, "the worker logged nothing for the task"
    assert {(line["user_id"], line["trace_id"], "request_id" in line) for line in task_lines} == {
        (man.user_id, run.trace_id, False)
    }
    assert all(HEX_ID.match(line["connection_id"]) for line in task_lines)
