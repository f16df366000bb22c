"""Matching engine capacity: pairings per second with 5,000, 50,000 and 200,000 waiting tickets.

`make bench-matching ARGS=--capacity` runs this file. It drives the engine only through the
entry points the pairing path uses (apps.matching.queue: the join script through `enqueue_many`
— the join pipeline, one atomic call per batch of joins, the same script `enqueue` runs for a
single join — then `pair_arrivals` as the drain task does: take a batch of arrivals and pair
it in one atomic call), against a private
redis-server, so the number is the engine's and not PostgreSQL's or the channel layer's.

For each size a backlog of N men seeking women waits (joined over the past N/500 s, the way
a crowd arrives). Then driver processes join women seeking men and, to keep the backlog at N,
one more man per woman, as fast as the engine takes them; each driver drains the arrivals as
the drain task does (take a batch and pair it, one atomic call per batch) until a step leaves
no arrival (`pair_arrivals` says how many are left: where the drain task would make one more,
empty step and linger, the driver joins its next round). Every woman pairs with the
longest-waiting compatible man (among the MATCHING_TIE_BREAK_CANDIDATES oldest compatible ones
within the fairness window, the one sharing most interests). The drivers build their tickets'
profiles before the clock starts: at a real join they come from PostgreSQL, not the engine.

Besides pairings/s (which on a shared 2-core machine also pays for the drivers' Python), each
size reports redis-server's CPU ms per pairing: Redis runs the scripts on one core, so
1,000 / that number is the engine's ceiling per Redis primary.
LAST line: {"bench":"matching-capacity","pairings_per_s_5k":..,"pairings_per_s_50k":..,"pairings_per_s_200k":..}
"""

import argparse
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (5_000, 50_000, 200_000)
LABELS = {5_000: "5k", 50_000: "50k", 200_000: "200k"}
BACKLOG_ARRIVALS_PER_S = 500
EVENT_ID = 1
UNIVERSITIES = 40
INTEREST_POOL = 30
INTERESTS_EACH = 5
ROUND = 50  # joins of each side per driver round; the drain task takes batches of 50 too
FILL_BATCH = 1000
PROFILES = 4096  # distinct (university, interests) profiles each driver cycles through
TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[capacity {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="bench-capacity-redis-")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", self.dir],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def django_setup(redis_url: str) -> None:
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.base")
    import django

    django.setup()


def profile(rng: random.Random) -> tuple[int, tuple[int, ...]]:
    return rng.randrange(UNIVERSITIES), tuple(rng.sample(range(1, INTEREST_POOL + 1), INTERESTS_EACH))


def snapshot(user_id: int, gender: str, university_and_interests: tuple[int, tuple[int, ...]]):
    from apps.matching.queue import TicketSnapshot

    university_id, interest_ids = university_and_interests
    return TicketSnapshot(
        event_id=EVENT_ID,
        user_id=user_id,
        gender=gender,
        seeking="F" if gender == "M" else "M",
        university_id=university_id,
        interest_ids=interest_ids,
        card_json='{"nickname":"bench"}',
        excluded_user_ids=frozenset(),
        allow_same_university=False,
        accept_timeout_s=20,
        max_wait_s=600,
    )


def fill_backlog(size: int) -> None:
    """N men waiting, joined over the past size / 500 s (oldest first)."""
    from apps.core.redis import get_redis
    from apps.matching import queue

    get_redis().flushdb()
    # The engine refuses to issue ids without an epoch (docs/matching.md "Losing Redis").
    queue.state_install(epoch=1)
    rng = random.Random(size)
    start_ms = queue.now_ms() - size * 1000 / BACKLOG_ARRIVALS_PER_S
    for first in range(0, size, FILL_BATCH):
        queue.enqueue_many(
            [
                (snapshot(index + 1, "M", profile(rng)), start_ms + index * 1000 / BACKLOG_ARRIVALS_PER_S)
                for index in range(first, min(first + FILL_BATCH, size))
            ]
        )
    # The backlog's own arrivals were paired (with nobody) long ago: the drain has taken them.
    while queue.arrivals_take(event_id=EVENT_ID, count=10_000):
        pass


def driver_main(index: int, redis_url: str, duration_s: float, go, results) -> None:
    django_setup(redis_url)
    from apps.matching import queue

    rng = random.Random(index)
    profiles = [profile(rng) for _ in range(PROFILES)]
    next_id = 100_000_000 * (index + 1)
    pairings = joins = 0
    go.wait()
    cpu_started = time.process_time()
    deadline = time.monotonic() + duration_s
    while time.monotonic() < deadline:
        now = queue.now_ms()
        crowd = []
        for _ in range(ROUND):
            crowd.append((snapshot(next_id, "F", profiles[next_id % PROFILES]), now))
            crowd.append((snapshot(next_id + 1, "M", profiles[(next_id + 1) % PROFILES]), now))
            next_id += 2
        queue.enqueue_many(crowd, at_ms=now)
        joins += 2 * ROUND
        left = 1
        while left:
            _taken, left, proposals = queue.pair_arrivals(event_id=EVENT_ID, count=ROUND)
            pairings += len(proposals)
    results.put((pairings, joins, time.process_time() - cpu_started))


def measure(size: int, redis: PrivateRedis, *, drivers: int, duration_s: float) -> dict:
    fill_started = time.monotonic()
    fill_backlog(size)
    from apps.matching import queue

    log(f"{size:,} waiting after {time.monotonic() - fill_started:.0f} s; {drivers} drivers for {duration_s:.0f} s")
    context = multiprocessing.get_context("fork")
    go, results = context.Event(), context.Queue()
    processes = [context.Process(target=driver_main, args=(i, redis.url, duration_s, go, results)) for i in range(drivers)]
    for process in processes:
        process.start()
    time.sleep(1.0)  # the drivers import Django before the clock starts
    from apps.core.redis import get_redis

    get_redis().config_resetstat()
    cpu_before, started = redis.cpu_s(), time.monotonic()
    go.set()
    totals = [results.get(timeout=duration_s + 120) for _ in processes]
    elapsed, redis_cpu = time.monotonic() - started, redis.cpu_s() - cpu_before
    for process in processes:
        process.join(30)
    pairings, joins = sum(t[0] for t in totals), sum(t[1] for t in totals)
    waiting = sum(queue.bucket_sizes(event_id=EVENT_ID).values())
    # Where redis-server's time went, per command (commands run inside the scripts included).
    stats = get_redis().info("commandstats")
    by_command = sorted(((name[8:], row["usec"]) for name, row in stats.items()), key=lambda item: -item[1])
    calls = sorted(((name[8:], row["calls"]) for name, row in stats.items()), key=lambda item: -item[1])
    row = {
        "waiting": size,
        "waiting_after": waiting,
        "pairings": pairings,
        "joins": joins,
        "pairings_per_s": round(pairings / elapsed),
        "redis_cpu_ms_per_pairing": round(redis_cpu * 1000 / max(pairings, 1), 4),
        "driver_cpu_ms_per_pairing": round(sum(t[2] for t in totals) * 1000 / max(pairings, 1), 4),
        "redis_ceiling_pairings_per_s": round(pairings / redis_cpu) if redis_cpu else None,
        "redis_us_per_pairing_by_command": {name: round(usec / max(pairings, 1), 1) for name, usec in by_command[:8]},
        "redis_calls_per_pairing_by_command": {name: round(n / max(pairings, 1), 2) for name, n in calls[:12]},
    }
    log(json.dumps(row))
    return row


def machine_speed(redis: PrivateRedis) -> dict:
    """How fast this machine is right now, to compare runs on different or busier machines:
    redis-server CPU per plain SET (pipelined) and the load average while measuring."""
    from apps.core.redis import get_redis

    client, count = get_redis(), 20_000
    cpu_before = redis.cpu_s()
    for start in range(0, count, 1000):
        pipe = client.pipeline(transaction=False)
        for index in range(start, start + 1000):
            pipe.set(f"bench:speed:{index}", "x")
        pipe.execute()
    redis_us_per_set = (redis.cpu_s() - cpu_before) * 1e6 / count
    client.flushdb()
    return {
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "redis_us_per_set": round(redis_us_per_set, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drivers", type=int, default=3, help="driver processes joining and pairing (default 3)")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds measured per size (default 8)")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="waiting backlogs to measure")
    args = parser.parse_args()
    redis = PrivateRedis()
    try:
        django_setup(redis.url)
        machine = machine_speed(redis)
        log(f"machine: {json.dumps(machine)}")
        rows = [measure(int(size), redis, drivers=args.drivers, duration_s=args.duration) for size in args.sizes.split(",")]
    finally:
        redis.stop()
    rates = [row["pairings_per_s"] for row in rows]
    ceilings = [row["redis_ceiling_pairings_per_s"] for row in rows]
    flatness = min(rates) / max(rates)
    log(f"flatness: slowest/fastest pairings/s {flatness:.2f}; Redis ceiling {min(ceilings):,}–{max(ceilings):,}/s")
    print(json.dumps({"bench": "matching-capacity-detail", "machine": machine, "sizes": rows}), flush=True)
    summary = {"bench": "matching-capacity"}
    for row in rows:
        summary[f"pairings_per_s_{LABELS.get(row['waiting'], row['waiting'])}"] = row["pairings_per_s"]
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
