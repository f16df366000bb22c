import pytest
from django.test import Client

from apps.accounts.tests.factories import make_user
from apps.alerts.models import AlertRule

pytestmark = pytest.mark.django_db

VALID = {
    "name": "custom-rule",
    "description": "",
    "metric": "reports_5m",
    "comparison": "gt",
    "threshold": "5",
    "for_s": "30",
    "severity": "warning",
    "labels": '{"team": "ops"}',
    "repeat_interval_s": "",
    "enabled": "on",
}


@pytest.fixture
def admin_client_():
    user = make_user()
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_a_valid_rule_is_saved(admin_client_):
    response = admin_client_.post("/admin/alerts/alertrule/add/", VALID)
    assert response.status_code == 302
    rule = AlertRule.objects.get(name="custom-rule")
    assert (rule.metric, rule.threshold, rule.for_s, rule.labels) == ("reports_5m", 5.0, 30, {"team": "ops"})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("metric", "no_such_metric", "Select a valid choice"),
        ("threshold", "lots", "Enter a number"),
        ("labels", "[1, 2]", "Labels must be a JSON object"),
        ("labels", '{"team": 3}', "Label team must map"),
        ("labels", "{not json", "Enter a valid JSON"),
        ("for_s", "-5", "greater than or equal to 0"),
        ("for_s", "90000", "at most one day"),
        ("repeat_interval_s", "10", "at most once a minute"),
    ],
)
def test_invalid_rules_are_refused_with_a_message(admin_client_, field, value, message):
    response = admin_client_.post("/admin/alerts/alertrule/add/", VALID | {field: value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AlertRule.objects.filter(name="custom-rule").exists()


def test_alert_admin_is_staff_only():
    member = Client()
    member.force_login(make_user())
    assert member.get("/admin/alerts/alertrule/").status_code == 302
