import subprocess
import sys

import pytest
from django.test import Client, override_settings

from apps.accounts.tests.factories import make_user
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric
from conftest import ROOT, _process_env

pytestmark = pytest.mark.django_db

PAGES = ["/admin/dashboard/", "/admin/dashboard/history/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_staff_only(path, staff_user):
    anonymous = Client()
    assert anonymous.get(path).status_code == 302
    member = Client()
    member.force_login(make_user())
    assert member.get(path).status_code == 404
    staff = Client()
    staff.force_login(staff_user)
    response = staff.get(path)
    assert response.status_code == 200
    assert b"chart.umd.min.js" in response.content


def test_live_page_offers_the_event_selector_and_rejects_bad_events(staff_user, live_event):
    staff = Client()
    staff.force_login(staff_user)
    page = staff.get(f"/admin/dashboard/?event={live_event.pk}").content.decode()
    assert f'data-event-id="{live_event.pk}"' in page
    assert f'<option value="{live_event.pk}" selected>' in page
    assert staff.get("/admin/dashboard/?event=abc").status_code == 404
    assert staff.get("/admin/dashboard/?event=99999").status_code == 404


def test_admin_index_links_to_the_dashboard(staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    staff = Client()
    staff.force_login(staff_user)
    assert 'href="/admin/dashboard/"' in staff.get("/admin/").content.decode()


def test_metrics_is_hidden_from_the_public_and_members():
    assert Client().get("/metrics").status_code == 404
    member = Client()
    member.force_login(make_user())
    assert member.get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


@override_settings(METRICS_BEARER_TOKEN="s3cret-token")
def test_metrics_with_the_bearer_token_exports_process_and_business_metrics():
    metrics.user_dims_set(user_id=1, gender="F", university_id=2, region="daegu")
    metrics.metric_incr(Metric.CONFIRMED, user_id=1, event_id=5, by=3)
    metrics.metric_observe(Metric.QUEUE_WAIT, 12, event_id=5)
    metrics.online_touch(user_id=1)
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    body = response.content.decode()
    assert "matchminds_matches_confirmed_total 3.0" in body
    assert 'matchminds_matches_confirmed_by_region_total{region="daegu"} 3.0' in body
    assert 'matchminds_queue_wait_seconds_bucket{le="15"} 1.0' in body
    assert 'matchminds_online_users{dimension="all"} 1.0' in body
    assert "django_http_requests_total_by_method_total" in body
    assert 'django_db_execute_total{alias="default",vendor="postgresql"}' in body


@override_settings(METRICS_ALLOWED_NETWORKS=["127.0.0.0/8"])
def test_metrics_from_an_allowed_network(staff_user):
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 404
    staff = Client(REMOTE_ADDR="10.1.2.3")
    staff.force_login(staff_user)
    assert staff.get("/metrics").status_code == 200


@pytest.mark.django_db(transaction=True)
@override_settings(METRICS_BEARER_TOKEN="s3cret-token")
def test_business_counters_from_several_processes_add_up_in_any_scrape():
    # Given three separate processes (like daphne and Celery workers) each recording matches
    script = (
        "import django; django.setup();"
        "from apps.telemetry.metrics import metric_incr;"
        "[metric_incr('matches_confirmed', event_id=1, region='ulsan') for _ in range(5)]"
    )
    processes = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=_process_env()) for _ in range(3)]
    assert [process.wait(timeout=60) for process in processes] == [0, 0, 0]
    # When this process answers the scrape, then it reports what all of them recorded
    body = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    assert "matchminds_matches_confirmed_total 15.0" in body
    assert 'matchminds_matches_confirmed_by_region_total{region="ulsan"} 15.0' in body
