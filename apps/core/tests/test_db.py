import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.core.db import fetch_prepared, ids_in, pipelined_transaction, prepared_cursor

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


def test_pipelined_statements_run_in_order_in_one_transaction_and_are_read_afterwards():
    user = User.objects.create_user(email="before@example.com", password="pw-123456!")
    with prepared_cursor() as update, prepared_cursor() as read:
        with pipelined_transaction():
            update.execute(
                "UPDATE accounts_user SET email = %s WHERE id = %s RETURNING txid_current()", ["after@example.com", user.pk]
            )
            read.execute("SELECT email, txid_current() FROM accounts_user WHERE id = %s", [user.pk])
        ((update_transaction,),) = update.fetchall()
        ((email, read_transaction),) = read.fetchall()
    # The second statement ran after the first (it sees its write), in the same transaction.
    assert email == "after@example.com"
    assert read_transaction == update_transaction


@pytest.mark.django_db(transaction=True)
def test_a_pipelined_transaction_commits_on_its_own_and_reads_in_between():
    user = User.objects.create_user(email="own@example.com", password="pw-123456!")
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as first, prepared_cursor() as second:
        with pipelined_transaction():
            first.execute(
                "UPDATE accounts_user SET email = %s WHERE id = %s RETURNING txid_current()", ["mid@example.com", user.pk]
            )
            ((first_transaction,),) = first.fetchall()  # read in the middle of the block
            second.execute("SELECT txid_current()")
        ((second_transaction,),) = second.fetchall()
    assert first_transaction == second_transaction
    assert [query["sql"] for query in queries.captured_queries] == [
        "BEGIN",
        "UPDATE accounts_user SET email = %s WHERE id = %s RETURNING txid_current()",
        "SELECT txid_current()",
        "COMMIT",
    ]
    # Committed: another connection sees the write.
    with psycopg.connect(**connection.get_connection_params()) as other:
        assert other.execute("SELECT email FROM accounts_user WHERE id = %s", [user.pk]).fetchone() == ("mid@example.com",)
    assert connection.get_autocommit()
    assert connection.connection.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE


@pytest.mark.django_db(transaction=True)
def test_a_failing_pipelined_statement_rolls_the_whole_transaction_back_and_raises_djangos_error():
    user = User.objects.create_user(email="taken-too@example.com", password="pw-123456!")
    with (
        pytest.raises(IntegrityError),
        prepared_cursor() as renamed,
        prepared_cursor() as failing,
        prepared_cursor() as skipped,
        pipelined_transaction(),
    ):
        renamed.execute("UPDATE accounts_user SET email = %s WHERE id = %s", ["renamed@example.com", user.pk])
        failing.execute("INSERT INTO accounts_user (email) SELECT email FROM accounts_user WHERE id = %s", [user.pk])
        skipped.execute("UPDATE accounts_user SET is_staff = true WHERE id = %s", [user.pk])
    user.refresh_from_db()
    assert (user.email, user.is_staff) == ("taken-too@example.com", False)
    # The connection is back in autocommit, outside any transaction, and usable.
    assert connection.connection.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert fetch_prepared(LOOKUP_SQL, [user.pk], one=True) == ("taken-too@example.com",)


def test_inside_a_callers_transaction_a_failure_undoes_only_the_block():
    with transaction.atomic():
        kept = User.objects.create_user(email="kept@example.com", password="pw-123456!")
        with pytest.raises(RuntimeError), prepared_cursor() as cursor, pipelined_transaction():
            cursor.execute("UPDATE accounts_user SET email = %s WHERE id = %s", ["undone@example.com", kept.pk])
            raise RuntimeError("the caller's code failed inside the block")
        # The caller's transaction goes on: its own write is there, the block's is not.
        assert fetch_prepared(LOOKUP_SQL, [kept.pk], one=True) == ("kept@example.com",)
        User.objects.filter(pk=kept.pk).update(is_staff=True)
    kept.refresh_from_db()
    assert (kept.email, kept.is_staff) == ("kept@example.com", True)


def test_many_ids_filter_as_one_array_parameter():
    """Given three users: filtering by 2,001 ids (two of them real) finds exactly those two in one short statement."""
    users = [User.objects.create_user(email=f"many-ids-{n}@example.com", password="pw-123456!") for n in range(3)]
    wanted = [users[0].pk, users[2].pk, *range(10_000_000, 10_001_999)]

    with CaptureQueriesContext(connection) as queries:
        found = sorted(User.objects.filter(pk__in=ids_in(wanted)).values_list("email", flat=True))

    assert found == ["many-ids-0@example.com", "many-ids-2@example.com"]
    assert "IN (SELECT unnest(" in queries[0]["sql"]
    assert list(User.objects.filter(pk__in=ids_in([]))) == []
