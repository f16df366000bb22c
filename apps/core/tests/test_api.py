import pytest
from rest_framework.test import APIClient

from apps.accounts.tests.factories import make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_api() -> APIClient:
    api = APIClient()
    api.force_authenticate(make_profile().user)
    return api


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/no-such-thing/"), ("post", "/api/v1/proposals/abc/accept/"), ("delete", "/api/v2/profile/")],
)
def test_an_address_under_api_that_names_no_endpoint_is_a_json_404(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_json_endpoints_refuse_a_form_encoded_body_with_the_error_envelope(student_api):
    response = student_api.post("/api/v1/safety/hidden-words/", {"word": "술"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert student_api.get("/api/v1/safety/hidden-words/").json() == {"words": []}


def test_a_hidden_word_is_removed_by_query_parameter(student_api):
    student_api.post("/api/v1/safety/hidden-words/", {"word": "술"}, format="json")
    student_api.post("/api/v1/safety/hidden-words/", {"word": "담배"}, format="json")
    response = student_api.delete("/api/v1/safety/hidden-words/?word=술")
    assert (response.status_code, response.json()) == (200, {"words": ["담배"]})
    refused = student_api.delete("/api/v1/safety/hidden-words/")
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "invalid")


def test_the_schema_names_each_endpoints_bodies_apart_and_documents_errors_and_bearer_tokens(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    assert {"ProfileRequest", "ProfileOutput", "RoomHistoryOutput", "EventDetailOutput", "ApiErrorEnvelope"} <= set(components)
    assert "Output" not in components
    history = schema["paths"]["/api/v1/chat/rooms/{room_id}/messages/"]["get"]["responses"]
    assert history["200"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/RoomHistoryOutput"
    assert history["default"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ApiErrorEnvelope"
    assert schema["components"]["securitySchemes"]["oidcBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from the sign-in provider (Amazon Cognito in production).",
    }
