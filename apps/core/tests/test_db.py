import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.core.db import fetch_prepared, prepared_cursor

pytestmark = pytest.mark.django_db

LOOKUP_SQL = "SELECT email FROM accounts_user WHERE id = %s"


def prepared_plans(sql_start: str) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s", [sql_start + "%"]
        )
        return cursor.fetchall()


def test_a_statement_is_prepared_once_and_keeps_one_generic_plan():
    user = User.objects.create_user(email="prepared@example.com", password="pw-123456!")
    for _ in range(7):
        assert fetch_prepared(LOOKUP_SQL, [user.pk], one=True) == ("prepared@example.com",)
    # One server-side statement, planned once for all seven executions (on `auto`, PostgreSQL
    # would plan the first five executions for their own parameters).
    assert prepared_plans("SELECT email FROM accounts_user") == [(7, 0)]


def test_a_prepared_statement_runs_in_the_callers_transaction():
    with transaction.atomic():
        user = User.objects.create_user(email="same-transaction@example.com", password="pw-123456!")
        assert fetch_prepared(LOOKUP_SQL, [user.pk], one=True) == ("same-transaction@example.com",)
        transaction.set_rollback(True)
    assert fetch_prepared(LOOKUP_SQL, [user.pk], one=True) is None


def test_errors_come_out_as_djangos_and_statements_are_logged_like_djangos():
    user = User.objects.create_user(email="taken@example.com", password="pw-123456!")
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(IntegrityError),
        transaction.atomic(),
        prepared_cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_user SET email = %s WHERE id = %s", ["other@example.com", user.pk])
        cursor.execute("INSERT INTO accounts_user (email) SELECT email FROM accounts_user WHERE id = %s", [user.pk])
    assert [query["sql"] for query in queries.captured_queries if query.get("prepared")] == [
        "UPDATE accounts_user SET email = %s WHERE id = %s",
        "INSERT INTO accounts_user (email) SELECT email FROM accounts_user WHERE id = %s",
    ]
    user.refresh_from_db()
    assert user.email == "taken@example.com"
