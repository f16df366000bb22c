"""Accepting the terms and privacy policy, new versions, and the cached consent check."""

import pytest
from django.db import IntegrityError, transaction

from apps.accounts.tests.factories import make_user
from apps.core.errors import DomainError
from apps.core.redis import get_redis
from apps.policies import selectors, services
from apps.policies.errors import ErrorCode
from apps.policies.models import PolicyAcceptance, PolicyKind, PolicyVersion

pytestmark = pytest.mark.django_db


def _current_ids() -> list[int]:
    return [version.pk for version in selectors.consent_versions_current()]


def _new_terms() -> PolicyVersion:
    draft = services.policy_draft_from(version=selectors.policy_current(kind=PolicyKind.TERMS))
    return services.policy_publish(version_id=draft.pk)


def test_every_document_has_a_published_korean_and_english_first_version():
    current = selectors.policy_current_all()

    assert sorted(current) == sorted(PolicyKind.values)
    for version in current.values():
        assert version.version == 1 and version.is_published
        assert len(version.body_ko) > 300 and len(version.body_en) > 300
    assert "무관용" in current["terms"].body_ko and "Zero tolerance" in current["terms"].body_en
    privacy = current["privacy"].body_ko
    for must in ("처리 목적", "항목", "보유 기간", "신고 증거", "위탁", "권리", "개인정보 보호책임자"):
        assert must in privacy


def test_accepting_records_each_version_with_time_and_address(sent_frames):
    user = make_user(accept_policies=False)
    assert selectors.consent_problem(user_id=user.pk) == (ErrorCode.TERMS_NOT_ACCEPTED, selectors.consent_message())

    with sent_frames():
        services.policies_accept(user_id=user.pk, version_ids=_current_ids(), ip_address="198.51.100.4")

    rows = PolicyAcceptance.objects.filter(user=user).order_by("version__kind")
    assert [(row.version.kind, row.version.version, row.ip_address) for row in rows] == [
        ("privacy", 1, "198.51.100.4"),
        ("terms", 1, "198.51.100.4"),
    ]
    assert all(row.accepted_at is not None for row in rows)
    assert selectors.consent_problem(user_id=user.pk) is None


def test_a_new_version_asks_again_and_an_outdated_acceptance_changes_nothing(sent_frames):
    user = make_user()
    old_ids = _current_ids()
    with sent_frames():
        new_terms = _new_terms()

    assert selectors.consent_problem(user_id=user.pk)[0] == ErrorCode.TERMS_NOT_ACCEPTED
    with pytest.raises(DomainError) as refused:
        services.policies_accept(user_id=user.pk, version_ids=old_ids, ip_address="198.51.100.4")
    assert (refused.value.code, refused.value.http_status) == (ErrorCode.POLICY_OUTDATED, 409)
    assert PolicyAcceptance.objects.filter(user=user, version=new_terms).count() == 0

    services.policies_accept(user_id=user.pk, version_ids=_current_ids(), ip_address=None)
    assert selectors.consent_problem(user_id=user.pk) is None
    assert PolicyAcceptance.objects.filter(user=user).count() == 3


def test_a_published_version_cannot_change_even_in_the_database():
    terms = selectors.policy_current(kind=PolicyKind.TERMS)

    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.filter(pk=terms.pk).update(body_ko="바뀐 약관")
    with pytest.raises(DomainError) as refused:
        services.policy_publish(version_id=terms.pk)

    assert refused.value.code == ErrorCode.POLICY_PUBLISHED
    assert PolicyVersion.objects.get(pk=terms.pk).body_ko == terms.body_ko


def test_a_draft_is_numbered_after_the_newest_and_asks_nothing_until_published():
    user = make_user()
    draft = services.policy_draft_from(version=selectors.policy_current(kind=PolicyKind.PRIVACY))

    assert (draft.version, draft.is_published) == (2, False)
    assert selectors.policy_current(kind=PolicyKind.PRIVACY).version == 1
    assert selectors.consent_problem(user_id=user.pk) is None


def test_a_warm_consent_check_costs_no_query_and_one_redis_trip(django_assert_num_queries):
    users = [make_user() for _ in range(3)]

    with django_assert_num_queries(0):
        assert selectors.consent_missing_user_ids(user_ids=[user.pk for user in users]) == set()


def test_a_cold_check_reads_the_database_once_for_the_whole_batch(django_assert_num_queries):
    accepted, refused = make_user(), make_user(accept_policies=False)
    get_redis().flushdb()

    with django_assert_num_queries(2):  # the current versions, then everyone's acceptances
        assert selectors.consent_missing_user_ids(user_ids=[accepted.pk, refused.pk]) == {refused.pk}
    with django_assert_num_queries(1):  # the one who has not accepted is asked again
        assert selectors.consent_missing_user_ids(user_ids=[accepted.pk, refused.pk]) == {refused.pk}
