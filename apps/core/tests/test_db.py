import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.core.db import fetch_prepared, pipelined, prepared_cursor

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


def test_pipelined_statements_run_in_order_in_the_callers_transaction_and_are_read_afterwards():
    user = User.objects.create_user(email="before@example.com", password="pw-123456!")
    with transaction.atomic(), prepared_cursor() as update, prepared_cursor() as read:
        with pipelined():
            update.execute(
                "UPDATE accounts_user SET email = %s WHERE id = %s RETURNING txid_current()", ["after@example.com", user.pk]
            )
            read.execute("SELECT email, txid_current() FROM accounts_user WHERE id = %s", [user.pk])
        ((update_transaction,),) = update.fetchall()
        ((email, read_transaction),) = read.fetchall()
    # The second statement ran after the first (it sees its write), in the same transaction.
    assert email == "after@example.com"
    assert read_transaction == update_transaction


def test_a_failing_pipelined_statement_skips_the_rest_and_raises_djangos_error():
    user = User.objects.create_user(email="taken-too@example.com", password="pw-123456!")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE pipeline_probe")
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        prepared_cursor() as failing,
        prepared_cursor() as skipped,
        pipelined(),
    ):
        failing.execute("INSERT INTO accounts_user (email) SELECT email FROM accounts_user WHERE id = %s", [user.pk])
        # setval survives a rollback: had this statement run, the probe would read 42.
        skipped.execute("SELECT setval('pipeline_probe', 42)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM pipeline_probe")
        assert cursor.fetchone() == (1,)
