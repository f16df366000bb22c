"""Benchmark of live operations (issue 6).

1. Snapshot computation at 1k / 5k / 20k simulated online users (spread over 300
   universities, 17 regions, 2 genders) with a realistic minute history.
2. Freshness: a real Celery worker with embedded beat publishes snapshots every second;
   the bench listens on the dashboard group of the channel layer (what every staff socket
   receives) and measures metric recorded → frame showing it.
3. Detect → notify: a report spike (built-in rule `report-spike`) is recorded and the
   clock runs until the generic webhook (a local HTTP server) receives the notification,
   through beat's 10 s evaluation and the delivery task.

Needs DATABASE_URL (migrated) and REDIS_URL. Last line: the issue's JSON.
"""

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.test")

import django  # noqa: E402

django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.alerts.models import Alert, Notification  # noqa: E402
from apps.core.redis import get_redis  # noqa: E402
from apps.dashboard import selectors  # noqa: E402
from apps.dashboard.protocol import dashboard_group  # noqa: E402
from apps.events.models import Event  # noqa: E402
from apps.telemetry import metrics  # noqa: E402
from apps.telemetry.metrics import Metric  # noqa: E402

REGIONS = ["seoul", "busan", "daegu", "incheon", "gwangju", "daejeon", "ulsan", "sejong", "gyeonggi", "gangwon",
           "chungbuk", "chungnam", "jeonbuk", "jeonnam", "gyeongbuk", "gyeongnam", "jeju"]  # fmt: skip
UNIVERSITIES = 300
USER_ID_BASE = 50_000_000


def populate(event_id: int, users: int) -> None:
    client = get_redis()
    _, online_script = metrics._scripts()
    pipe = client.pipeline(transaction=False)
    expires = time.time() + 600
    for index in range(users):
        user_id = USER_ID_BASE + index
        dims = metrics.dims_of(gender="MF"[index % 2], university_id=1 + index % UNIVERSITIES, region=REGIONS[index % 17])
        pipe.hset(metrics.USER_DIMS_KEY, str(user_id), ",".join(dims))
        online_script(keys=[metrics.USER_DIMS_KEY], args=[str(event_id), str(user_id), expires], client=pipe)
        if index % 500 == 499:
            pipe.execute()
    pipe.execute()
    # A quarter-hour of activity so every window has data.
    now = time.time()
    for offset in range(0, 15 * 60, 20):
        at = now - offset
        user_id = USER_ID_BASE + random.randrange(users)
        metrics.metric_incr(Metric.PROPOSALS, event_id=event_id, user_id=user_id, by=5, at=at)
        metrics.metric_incr(Metric.CONFIRMED, event_id=event_id, user_id=user_id, by=2, at=at)
        metrics.metric_incr(Metric.MESSAGES, event_id=event_id, user_id=user_id, by=40, at=at)
        metrics.metric_incr(Metric.WS_CONNECTS, event_id=event_id, user_id=user_id, by=3, at=at)
        metrics.metric_incr(Metric.LOBBY_ENTERS, event_id=event_id, user_id=user_id, by=3, at=at)
        metrics.metric_observe(Metric.QUEUE_WAIT, random.uniform(1, 90), event_id=event_id, user_id=user_id, at=at)
    metrics.gauges_set({"queue_depth|g:M": users // 20, "queue_depth|g:F": users // 25}, event_id=event_id)


def cleanup(event_id: int, users: int) -> None:
    client = get_redis()
    scope = str(event_id)
    dims = client.smembers(metrics.online_dims_key(scope))
    if dims:
        client.delete(*[metrics.online_key(scope, dim) for dim in dims])
    client.delete(metrics.online_dims_key(scope), metrics.gauges_key(scope), metrics.event_totals_key(scope))
    for start in range(0, users, 5000):
        client.hdel(metrics.USER_DIMS_KEY, *[str(USER_ID_BASE + i) for i in range(start, min(users, start + 5000))])


def bench_snapshot(event_id: int, users: int, runs: int = 200) -> float:
    populate(event_id, users)
    selectors.dashboard_snapshot(event_id=event_id)  # warm: script load, university names
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        snapshot = selectors.dashboard_snapshot(event_id=event_id)
        timings.append((time.perf_counter() - started) * 1000)
    assert snapshot["tiles"]["online"] == users, snapshot["tiles"]["online"]
    cleanup(event_id, users)
    timings.sort()
    median, p95 = statistics.median(timings), timings[int(len(timings) * 0.95)]
    print(
        f"snapshot users={users:>6}: median {median:.2f} ms, p95 {p95:.2f} ms, "
        f"universities in table {len(snapshot['universities'])}"
    )
    return median


class Sink:
    def __init__(self) -> None:
        self.received: list[tuple[float, dict]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                sink.received.append((time.time(), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def start_worker(sink: Sink) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        ALERTS_WEBHOOK_URL=sink.url,
        PYTHONUNBUFFERED="1",
    )
    log = open(f"/tmp/bench-dashboard-worker-{os.getpid()}.log", "w")  # noqa: SIM115
    schedule = f"/tmp/bench-dashboard-beat-{os.getpid()}"
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "matchminds", "worker", "-B", "-s", schedule, "--concurrency", "2",
         "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


async def bench_freshness(event_id: int, samples: int = 12) -> list[float]:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(dashboard_group(event_id), channel)
    # Wait for the worker's beat to start publishing.
    first = await asyncio.wait_for(layer.receive(channel), timeout=60)
    confirmed = first["frame"]["tiles"]["confirmed_total"]
    delays = []
    for _ in range(samples):
        await asyncio.sleep(random.uniform(0.3, 1.3))
        recorded_at = time.time()
        await sync_to_async(metrics.metric_incr)(Metric.CONFIRMED, event_id=event_id)
        confirmed += 1
        while True:
            message = await asyncio.wait_for(layer.receive(channel), timeout=10)
            if message["frame"]["tiles"]["confirmed_total"] >= confirmed:
                delays.append((time.time() - recorded_at) * 1000)
                break
    await layer.group_discard(dashboard_group(event_id), channel)
    return delays


def bench_detect_to_notify(sink: Sink, events: list[Event]) -> list[float]:
    delays = []
    for event in events:
        before = len(sink.received)
        detected_at = time.time()
        metrics.metric_incr(Metric.REPORTS, event_id=event.pk, by=11)
        deadline = time.time() + 60
        while time.time() < deadline:
            matching = [
                at
                for at, body in sink.received[before:]
                if any(a["labels"].get("event") == str(event.pk) for a in body["alerts"])
            ]
            if matching:
                delays.append(matching[0] - detected_at)
                break
            time.sleep(0.05)
        else:
            raise TimeoutError("no notification within 60 s")
        print(f"detect → notify (report-spike, event {event.pk}): {delays[-1]:.2f} s")
    return delays


def main() -> None:
    print(f"machine: {os.cpu_count()} cores (shared with other engineers' work)")
    snapshot_ms = {}
    for users in (1_000, 5_000, 20_000):
        snapshot_ms[users] = bench_snapshot(990_000_000 + users, users)

    now = timezone.now()
    events = [
        Event.objects.create(
            name=f"bench-dashboard-{index}",
            starts_at=now - timezone.timedelta(minutes=5),
            ends_at=now + timezone.timedelta(hours=1),
        )
        for index in range(4)
    ]
    sink = Sink()
    worker = start_worker(sink)
    try:
        delays = asyncio.run(bench_freshness(events[0].pk))
        delays.sort()
        freshness_p95 = delays[int(len(delays) * 0.95)] if len(delays) > 1 else delays[0]
        print(
            f"freshness over {len(delays)} samples: median {statistics.median(delays):.0f} ms, "
            f"p95 {freshness_p95:.0f} ms, max {delays[-1]:.0f} ms"
        )
        notify = bench_detect_to_notify(sink, events[1:])
        print(f"detect → notify: median {statistics.median(notify):.2f} s, max {max(notify):.2f} s")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        Alert.objects.filter(rule__name="report-spike").delete()
        Notification.objects.filter(group_key="report-spike").delete()
        for event in events:
            event.delete()
    print(json.dumps({
        "bench": "dashboard",
        "snapshot_ms_20k": round(snapshot_ms[20_000], 2),
        "freshness_ms": round(freshness_p95),
        "detect_to_notify_s": round(max(notify), 2),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
