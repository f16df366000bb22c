"""How `make run` chooses its servers (scripts/run.py plan_servers); starting the private ones is
shown end to end by .ci/make_run_without_servers.sh."""

import socket

import pytest

from scripts.local_services import ServiceError, with_address
from scripts.run import plan_servers


def _port_nothing_listens_on() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(tmp_path, **overrides) -> dict[str, str]:
    return {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_port_nothing_listens_on()}/matchminds_dev",
        "REDIS_URL": f"redis://127.0.0.1:{_port_nothing_listens_on()}/0",
        "LOCAL_SERVERS": "auto",
        "LOCAL_DATA_DIR": str(tmp_path / "data"),
        **overrides,
    }


def test_an_installed_but_stopped_postgresql_is_asked_for_not_replaced(tmp_path, monkeypatch):
    # Given a machine with PostgreSQL's pg_ctl on PATH and nothing answering at DATABASE_URL
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "pg_ctl").write_text("#!/bin/sh\n")
    (tmp_path / "bin" / "pg_ctl").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    env = _env(tmp_path)

    # When make run plans its servers / Then it asks for that PostgreSQL to be started
    expected = r"^no PostgreSQL answers at postgres://postgres@127\.0\.0\.1:\d+/matchminds_dev\. Start it"
    with pytest.raises(ServiceError, match=expected):
        plan_servers(env)
    assert not (tmp_path / "data").exists()


def test_system_mode_never_starts_a_private_server(tmp_path):
    with pytest.raises(ServiceError, match="^no PostgreSQL answers at "):
        plan_servers(_env(tmp_path, LOCAL_SERVERS="system"))


def test_an_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ServiceError, match="^LOCAL_SERVERS must be auto, private or system, not 'sometimes'$"):
        plan_servers(_env(tmp_path, LOCAL_SERVERS="sometimes"))


def test_a_private_server_keeps_the_user_password_and_database_of_the_url():
    url = with_address("postgres://app:s3cret@127.0.0.1:5432/matchminds_dev?sslmode=disable", "127.0.0.1", 40001)
    assert url == "postgres://app:s3cret@127.0.0.1:40001/matchminds_dev?sslmode=disable"
