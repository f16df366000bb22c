import subprocess
import sys

import pytest
from asgiref.sync import sync_to_async
from prometheus_client import REGISTRY

from apps.accounts.tests.factories import make_user
from conftest import ROOT, _process_env

pytestmark = pytest.mark.django_db(transaction=True)

GAUGE = "matchminds_websocket_connections"


def _open_connections() -> float:
    return REGISTRY.get_sample_value(GAUGE) or 0.0


async def test_open_websockets_gauge_rises_and_falls_with_accepted_connections(connect_as):
    # Given the gauge's value before (other tests in this process may have left sockets open)
    before = _open_connections()
    # When two signed-in users connect
    first = await connect_as(await sync_to_async(make_user)())
    second = await connect_as(await sync_to_async(make_user)())
    # Then the gauge counts both
    assert _open_connections() == before + 2
    # And an anonymous connection, accepted only to be closed with 4401, does not count
    from channels.testing import WebsocketCommunicator

    from matchminds.asgi import application

    anonymous = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")])
    await anonymous.connect()
    assert (await anonymous.receive_output(timeout=5))["code"] == 4401
    assert _open_connections() == before + 2
    # When they disconnect, then the gauge falls back
    await first.disconnect()
    assert _open_connections() == before + 1
    await second.disconnect()
    assert _open_connections() == before


def test_gauge_is_one_unlabelled_series_per_pod_in_multiprocess_mode(tmp_path):
    # Given two daphne processes of one pod sharing PROMETHEUS_MULTIPROC_DIR, holding 2 and 1 sockets
    env = {**_process_env(), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    hold = (
        "import sys; from apps.realtime.metrics import WEBSOCKET_CONNECTIONS as g;"
        "[g.inc() for _ in range(int(sys.argv[1]))]; print('ready', flush=True); sys.stdin.read()"
    )
    holders = [
        subprocess.Popen(
            [sys.executable, "-c", hold, str(count)], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        for count in (2, 1)
    ]
    try:
        for holder in holders:
            assert holder.stdout.readline().strip() == b"ready"
        # When a third process of the pod answers the scrape
        scrape = (
            "import django; django.setup();"
            "from prometheus_client import generate_latest;"
            "from apps.dashboard.prometheus import process_registry;"
            "print(generate_latest(process_registry()).decode())"
        )
        body = subprocess.run([sys.executable, "-c", scrape], cwd=ROOT, env=env, capture_output=True, check=True, timeout=60)
    finally:
        for holder in holders:
            holder.stdin.close()
            holder.wait(timeout=30)
    # Then it reports the pod's sum as one series without a pid label (what the HPA averages)
    lines = [line for line in body.stdout.decode().splitlines() if line.startswith(GAUGE)]
    assert lines == [f"{GAUGE} 3.0"]
