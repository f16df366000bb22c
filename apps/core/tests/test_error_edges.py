"""Failures at the edges (issue 23, item 6): the admin for students, and the JSON error
envelope for every way an API request can fail."""

import pytest
import requests
from django.test import Client, RequestFactory
from rest_framework import exceptions

from apps.accounts.tests.factories import make_profile, make_user
from apps.core.api import exception_handler
from apps.core.views import server_error

pytestmark = pytest.mark.django_db


def test_a_signed_in_student_at_the_admin_gets_a_403_page_not_a_redirect_loop(client):
    client.force_login(make_profile().user)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403
    assert "관리자 페이지는 MatchMinds 운영진만 볼 수 있어요." in response.content.decode()


def test_the_admin_still_sends_visitors_to_the_login_and_lets_staff_in(client):
    response = client.get("/admin/")
    assert client.get(response["Location"])["Location"] == "/accounts/login/?next=/admin/"

    staff = make_user()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/?next=/admin/moderation/")["Location"] == "/admin/moderation/"
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"


@pytest.fixture
def student_client() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_profile().user)
    client.get("/events/")  # the CSRF cookie
    return client


def _post(client: Client, path: str, body: bytes, content_type: str):
    return client.generic("POST", path, body, content_type=content_type, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


def test_too_many_multipart_fields_get_the_json_envelope(student_client, settings):
    # Django's parser refuses them with a SuspiciousOperation, which DRF does not handle
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    body = "".join(f'--xyz\r\nContent-Disposition: form-data; name="f{index}"\r\n\r\nx\r\n' for index in range(5))
    response = _post(
        student_client, "/api/v1/profile/photo/", (body + "--xyz--\r\n").encode(), "multipart/form-data; boundary=xyz"
    )
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json() == {"error": {"code": "bad_request", "message": "요청을 읽을 수 없어요. 형식이 잘못됐거나 너무 커요."}}


def test_a_host_outside_allowed_hosts_gets_the_json_envelope(client):
    response = client.get("/api/v1/profile/", HTTP_HOST="evil.example")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "bad_request")


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status", "code"),
    [
        ("POST", "/api/v1/safety/hidden-words/", b'{"word": ', "application/json", 400, "parse_error"),
        ("POST", "/api/v1/profile/photo/", b"garbage", "multipart/form-data", 400, "parse_error"),
        ("POST", "/api/v1/safety/hidden-words/", b"word=x", "text/plain", 415, "unsupported_media_type"),
        ("PATCH", "/api/v1/profile/photo/", b"", "application/json", 405, "method_not_allowed"),
        ("GET", "/api/v1/profiles/999999999/", b"", "application/json", 404, "not_found"),
    ],
)
def test_every_drf_failure_answers_the_envelope(student_client, method, path, body, content_type, status, code):
    response = student_client.generic(
        method, path, body, content_type=content_type, HTTP_X_CSRFTOKEN=student_client.cookies["csrftoken"].value
    )
    assert (response.status_code, response["Content-Type"], response.json()["error"]["code"]) == (
        status,
        "application/json",
        code,
    )


def test_a_throttled_request_says_when_to_retry():
    response = exception_handler(exceptions.Throttled(wait=4.2), {})
    assert (response.status_code, response.data["error"]["code"], response.data["error"]["retry_after_s"]) == (
        429,
        "throttled",
        5,
    )


def test_a_crash_under_the_api_is_answered_in_json_and_elsewhere_with_the_page():
    response = server_error(RequestFactory().get("/api/v1/profile/"))
    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert response.content.decode().startswith('{"error": {"code": "internal_error"')
    assert server_error(RequestFactory().get("/events/"))["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_multipart_body_twisted_cannot_parse_reaches_django(daphne_server):
    # daphne's twisted parsed multipart bodies itself and answered a bad one with a bare 400
    response = requests.post(
        daphne_server + "/api/v1/profile/photo/",
        data=b"garbage",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
        timeout=10,
    )
    assert (response.status_code, response.headers["Content-Type"]) == (403, "application/json")
    assert response.json()["error"]["code"] == "not_authenticated"
