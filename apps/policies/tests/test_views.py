"""The public documents, the footer, the accept page and the consent API."""

import pytest

from apps.accounts.tests.factories import make_user
from apps.policies import selectors, services
from apps.policies.models import PolicyAcceptance, PolicyKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", PolicyKind.values)
def test_every_document_is_public_in_korean_and_english(client, kind):
    korean = client.get(f"/policies/{kind}/", HTTP_ACCEPT_LANGUAGE="ko")
    english = client.get(f"/policies/{kind}/", HTTP_ACCEPT_LANGUAGE="en")

    version = selectors.policy_current(kind=kind)
    assert korean.status_code == english.status_code == 200
    assert f"<h1>{version.title_ko}</h1>" in korean.content.decode()
    assert f"<h1>{version.title_en}</h1>" in english.content.decode()
    assert "<h2>" in korean.content.decode()


def test_every_page_links_every_document_in_its_footer(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    footer = page[page.index('<footer class="site-footer">') :]
    for kind in PolicyKind.values:
        assert f'href="/policies/{kind}/"' in footer
    assert "개인정보 처리방침" in footer and "이용약관" in footer


def test_unknown_documents_and_versions_are_not_found(client):
    assert client.get("/policies/cookies/").status_code == 404
    assert client.get("/policies/terms/v9/").status_code == 404
    assert client.get("/policies/terms/v1/").status_code == 200


def test_the_accept_page_records_the_acceptance_with_the_address(client):
    user = make_user(accept_policies=False)
    client.force_login(user)
    page = client.get("/policies/accept/?next=/events/")
    ids = [str(version.pk) for version in selectors.consent_versions_current()]

    response = client.post("/policies/accept/", {"version": ids, "next": "/events/"}, REMOTE_ADDR="192.0.2.9")

    assert page.status_code == 200 and "서비스 이용약관" in page.content.decode()
    assert response.status_code == 302 and response["Location"] == "/events/"
    assert set(PolicyAcceptance.objects.filter(user=user).values_list("ip_address", flat=True)) == {"192.0.2.9"}


def test_accepting_an_outdated_version_on_the_page_says_so_and_records_nothing(client, sent_frames):
    user = make_user(accept_policies=False)
    client.force_login(user)
    old_ids = [str(version.pk) for version in selectors.consent_versions_current()]
    with sent_frames():
        draft = services.policy_draft_from(version=selectors.policy_current(kind=PolicyKind.TERMS))
        services.policy_publish(version_id=draft.pk)

    response = client.post("/policies/accept/", {"version": old_ids, "next": "https://evil.example/"}, follow=True)

    assert "바뀌었어요" in response.content.decode() or "changed while you were reading" in response.content.decode()
    assert not PolicyAcceptance.objects.filter(user=user).exists()


def test_the_api_reports_and_accepts_consent(client):
    user = make_user(accept_policies=False)
    client.force_login(user)
    ids = [version.pk for version in selectors.consent_versions_current()]

    before = client.get("/api/v1/policies/consent/").json()
    outdated = client.post("/api/v1/policies/consent/", {"version_ids": [ids[0]]}, content_type="application/json")
    accepted = client.post("/api/v1/policies/consent/", {"version_ids": ids}, content_type="application/json")

    assert before["accepted"] is False and [doc["kind"] for doc in before["required"]] == ["terms", "privacy"]
    assert outdated.status_code == 409 and outdated.json()["error"]["code"] == "policy_outdated"
    assert accepted.status_code == 200 and accepted.json()["accepted"] is True
    assert client.get("/api/v1/policies/").status_code == 200
