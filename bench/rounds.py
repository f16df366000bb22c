#!/usr/bin/env python
"""`make bench-rounds`: speed-dating rounds for 5,000 checked-in students in one event, on 127.0.0.1 only.

Two runs, 50/50 and 60/40 women to men, three rounds each. Every student holds a real
WebSocket to daphne (lean clients, bench/ws_client.py); a real Celery worker runs the clock's
tick task, which the bench sends at each round's start (as beat would). Between rounds the
bench moves the finished round's deadlines into the past, so three rounds take seconds.

Measured: `seat_p99_ms`, from the tick's dispatch to each seated student's `round.seated`
frame; `seated_ratio`, pairs seated over the most pairs the constraints allow, computed here
by an exact maximum bipartite matching written apart from the engine (the lowest round);
repeats and double seats (from the frames and the database); `sitout_spread` on the long side.
Uses BENCH_DATABASE_URL / BENCH_REDIS_URL (via the Makefile's DATABASE_URL / REDIS_URL).
The LAST line printed is the issue's JSON object.
"""

import asyncio
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import ws_client  # noqa: E402
from bench.chat import CpuMeter, DaphneGroup, pct, postgres_pids, python_loop_s, raise_nofile  # noqa: E402

STUDENTS, ROUNDS, CLIENT_PROCESSES, UNIVERSITIES, BLOCKS = 5000, 3, 2, 40, 2000
ENV = {
    "DJANGO_SETTINGS_MODULE": "matchminds.settings.base",
    "CHANNEL_LAYER_PREFIX": "benchrounds",
    "PRESENCE_TTL_S": "3600",  # the lean clients send no heartbeats; their sockets stay present for the run
    "DB_CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}


def log(*parts) -> None:
    print(*parts, flush=True)


# Clients (own processes, asyncio) -------------------------------------------------------------


class Clients:
    """Sockets of many students in one process; records when each round frame arrived."""

    def __init__(self, port: int, specs: list[dict]) -> None:
        self.port, self.specs = port, specs
        self.sockets: list = []
        self.hellos = 0
        self.frames: list[tuple[int, str, int, float]] = []  # (user, type, round id, arrival)

    def on_message(self, user: int, raw: str) -> None:
        if '"round.seated"' in raw or '"round.sitout"' in raw:
            frame = json.loads(raw)
            self.frames.append((user, frame["type"], frame["round"], time.time()))
        elif '"hello"' in raw:
            self.hellos += 1

    async def connect_all(self, rate_per_s: float) -> dict:
        async def one(spec: dict) -> None:
            headers = {"Cookie": f"sessionid={spec['session']}", "Origin": f"http://127.0.0.1:{self.port}"}
            self.sockets.append(
                await ws_client.connect(
                    "127.0.0.1",
                    self.port,
                    "/ws/",
                    headers=headers,
                    on_message=lambda raw, user=spec["user"]: self.on_message(user, raw),
                    on_close=lambda ws: None,
                )
            )

        tasks = []
        for spec in self.specs:
            tasks.append(asyncio.create_task(one(spec)))
            await asyncio.sleep(1 / rate_per_s)
        failures = sum(1 for result in await asyncio.gather(*tasks, return_exceptions=True) if result is not None)
        deadline = time.monotonic() + 30
        while self.hellos < len(self.sockets) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return {"open": len(self.sockets), "hellos": self.hellos, "failed": failures}

    async def handle(self, command: str, args: dict):
        if command == "connect":
            return await self.connect_all(args["rate_per_s"])
        if command == "collect":
            frames, self.frames = self.frames, []
            return frames
        if command == "count":
            return len(self.frames)
        raise ValueError(command)


def client_main(conn, port: int, specs: list[dict]) -> None:
    raise_nofile()
    clients = Clients(port, specs)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        while True:
            command, args = await loop.run_in_executor(None, conn.recv)
            if command == "exit":
                return
            conn.send(await clients.handle(command, args))

    uvloop.run(serve())


class ClientProcesses:
    def __init__(self, port: int, specs: list[dict]) -> None:
        ctx = mp.get_context("spawn")
        self.pipes, self.processes = [], []
        for number in range(CLIENT_PROCESSES):
            parent, child = ctx.Pipe()
            process = ctx.Process(target=client_main, args=(child, port, specs[number::CLIENT_PROCESSES]), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def call(self, command: str, **args) -> list:
        for pipe in self.pipes:
            pipe.send((command, args))
        return [pipe.recv() for pipe in self.pipes]

    def stop(self) -> None:
        for pipe in self.pipes:
            pipe.send(("exit", {}))
        for process in self.processes:
            process.join(5)


# Data ------------------------------------------------------------------------------------------


def create_students() -> list[dict]:
    """5,000 students with profiles at 40 universities, real sessions, and random blocks between them."""
    from datetime import date, timedelta

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from apps.accounts.models import Profile, University, User
    from apps.moderation.models import Block
    from bench.consent import accept_current_policies

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_user, django_session, chat_room, events_event RESTART IDENTITY CASCADE")
    rng = random.Random(28)
    universities = list(University.objects.order_by("pk")[:UNIVERSITIES])
    users = User.objects.bulk_create([User(email=f"round{i}@example.com", password="!bench") for i in range(STUDENTS)])
    accept_current_policies([user.pk for user in users])
    Profile.objects.bulk_create(
        [
            Profile(
                user=user,
                nickname=f"s{i}",
                gender="F",
                seeking="M",
                birth_date=date(2002, 1, 1),
                university=(uni := rng.choice(universities)),
                region=uni.region,
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    store, expire, sessions = SessionStore(), timezone.now() + timedelta(days=1), []
    for user in users:
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=get_random_string(32), session_data=store.encode(data), expire_date=expire))
    Session.objects.bulk_create(sessions, batch_size=2000)
    block_pairs = {tuple(rng.sample(range(STUDENTS), 2)) for _ in range(BLOCKS)}
    Block.objects.bulk_create([Block(blocker=users[a], blocked=users[b]) for a, b in block_pairs])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return [{"user": user.pk, "session": session.session_key} for user, session in zip(users, sessions, strict=True)]


def rounds_event(women_share: float, user_ids: list[int]):
    """A rounds event whose check-in closed a second ago, everyone checked in, genders re-dealt."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.accounts.models import Profile
    from apps.events.models import Event
    from apps.rounds.models import CheckIn

    women = set(random.Random(int(women_share * 100)).sample(user_ids, int(len(user_ids) * women_share)))
    Profile.objects.filter(user_id__in=women).update(gender="F", seeking="M")
    Profile.objects.exclude(user_id__in=women).update(gender="M", seeking="F")
    now = timezone.now()
    event = Event.objects.create(
        name=f"bench {women_share:.0%}",
        format="rounds",
        starts_at=now - timedelta(seconds=61),
        ends_at=now + timedelta(hours=2),
        checkin_window_s=60,
        rounds_count=ROUNDS,
        round_minutes=2,
        break_s=15,
        allow_same_university=False,
    )
    CheckIn.objects.bulk_create([CheckIn(event=event, user_id=user_id) for user_id in user_ids], batch_size=5000)
    return event


def exact_maximum(event, user_ids: list[int]) -> int:
    """The most pairs the constraints allow now: Kuhn's augmenting paths from the short side, edges checked lazily."""
    from apps.accounts.models import Profile
    from apps.moderation.models import Block
    from apps.rounds.models import RoundPair

    rows = list(Profile.objects.filter(user_id__in=user_ids).values_list("user_id", "gender", "university_id"))
    uni = {user: university for user, _gender, university in rows}
    banned = {frozenset(pair) for pair in Block.objects.values_list("blocker_id", "blocked_id")}
    banned |= {frozenset(pair) for pair in RoundPair.objects.filter(event=event).values_list("user_a_id", "user_b_id")}
    men = [user for user, gender, _ in rows if gender == "M"]
    women = [user for user, gender, _ in rows if gender == "F"]
    left, right = (men, women) if len(men) <= len(women) else (women, men)

    def allowed(a: int, b: int) -> bool:
        return uni[a] != uni[b] and frozenset((a, b)) not in banned

    owner: dict[int, int] = {}
    free_right = list(right)
    unmatched = []
    for person in left:  # greedy start
        index = next((i for i, other in enumerate(free_right) if allowed(person, other)), None)
        if index is None:
            unmatched.append(person)
        else:
            owner[free_right.pop(index)] = person
    for person in unmatched:  # one augmenting search each (Kuhn): exact afterwards
        parent: dict[int, int] = {}
        frontier, found = [person], None
        while frontier and found is None:
            following = []
            for current in frontier:
                for other in right:
                    if other in parent or not allowed(current, other):
                        continue
                    parent[other] = current
                    if other not in owner:
                        found = other
                        break
                    following.append(owner[other])
                if found is not None:
                    break
            frontier = following
        while found is not None:
            holder = parent[found]
            previous = next((seat for seat, who in owner.items() if who == holder), None)
            owner[found] = holder
            found = previous
    return len(owner)


def wait_for_frames(clients: ClientProcesses, expected: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while sum(clients.call("count")) < expected and time.monotonic() < deadline:
        time.sleep(0.05)


def fast_forward(event) -> None:
    """Move the round under way past its deadline and break; the worker's ticks end it and reveal."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.rounds import tasks
    from apps.rounds.models import Round, RoundPhase

    now = timezone.now()
    Round.objects.filter(event=event).exclude(phase=RoundPhase.DONE).update(
        started_at=now - timedelta(seconds=3), talk_ends_at=now - timedelta(seconds=2), break_ends_at=now - timedelta(seconds=1)
    )
    while Round.objects.filter(event=event).exclude(phase=RoundPhase.DONE).exists():
        latest = Round.objects.filter(event=event).order_by("-number").first().pk
        tasks.round_talk_end.delay(latest)
        tasks.round_finish.delay(latest)
        time.sleep(0.3)


def play(event, clients: ClientProcesses, user_ids: list[int], meter: CpuMeter, results: dict) -> None:
    from apps.rounds import tasks
    from apps.rounds.models import Round, RoundPair, RoundSeat
    from apps.rounds.seating import seat_round
    from apps.rounds.selectors import seaters_build

    for number in range(1, ROUNDS + 1):
        if number > 1:
            fast_forward(event)
        most = exact_maximum(event, user_ids)
        seaters = seaters_build(event=event, user_ids=user_ids)
        started_cpu = time.process_time()
        seat_round(seaters, allow_same_university=False, seed=number)
        engine_ms = (time.process_time() - started_cpu) * 1000
        meter.reset()
        dispatched = time.time()
        tasks.rounds_tick.delay(event.pk)
        wait_for_frames(clients, len(user_ids))
        frames = [frame for part in clients.call("collect") for frame in part]
        round_ = Round.objects.get(event=event, number=number)
        seated = [(user, at) for user, kind, round_id, at in frames if kind == "round.seated" and round_id == round_.pk]
        results["latencies"] += [(at - dispatched) * 1000 for _user, at in seated]
        results["double_seats"] += sum(n - 1 for n in Counter(user for user, _ in seated).values() if n > 1)
        pairs = RoundPair.objects.filter(round=round_).count()
        results["ratios"].append(pairs / most if most else 1.0)
        log(
            f"  round {number}: {pairs} pairs of {most} possible, {len(frames) - len(seated)} sit-outs, "
            f"{len(seated)} seated frames, p50 {pct([(at - dispatched) * 1000 for _, at in seated], 0.5):.0f} ms, "
            f"p99 {pct([(at - dispatched) * 1000 for _, at in seated], 0.99):.0f} ms; engine CPU {engine_ms:.0f} ms"
        )
        log("   ", meter.report(1, "seating"))
        if RoundSeat.objects.filter(round=round_).count() != len(set(user_ids)):
            results["double_seats"] += abs(RoundSeat.objects.filter(round=round_).count() - len(user_ids))
    met = Counter(frozenset(pair) for pair in RoundPair.objects.filter(event=event).values_list("user_a_id", "user_b_id"))
    results["repeats"] += sum(n - 1 for n in met.values())
    results["spread"] = max(results["spread"], sitout_spread(event))


def sitout_spread(event) -> int:
    from apps.accounts.models import Profile
    from apps.rounds.models import RoundSeat

    genders = dict(Profile.objects.values_list("user_id", "gender"))
    count = Counter(genders.values())
    long_sides = [gender for gender, n in count.items() if n == max(count.values())]
    sitouts = Counter(RoundSeat.objects.filter(round__event=event, pair__isnull=True).values_list("user_id", flat=True))
    spreads = []
    for side in long_sides:
        counts = [sitouts.get(user, 0) for user, gender in genders.items() if gender == side]
        spreads.append(max(counts) - min(counts))
    return max(spreads)


def main() -> None:
    raise_nofile()
    env = {**os.environ, **ENV}
    os.environ.update(ENV)
    import django

    django.setup()
    from apps.core.redis import get_redis

    get_redis().flushdb()  # the bench's own Redis database (BENCH_REDIS_URL)
    log(f"machine speed: pure-Python loop of 5M additions {python_loop_s():.3f} s (lower is faster)")
    specs = create_students()
    user_ids = [spec["user"] for spec in specs]
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    servers = DaphneGroup(count=1, app="matchminds.asgi:application", env=env)
    worker_log = open(ROOT / "test-artifacts" / "bench-rounds-worker.log", "ab")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "matchminds",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "-n",
            "benchrounds@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    clients = None
    try:
        servers.wait_ready()
        clients = ClientProcesses(servers.port, specs)
        started = time.monotonic()
        opened = clients.call("connect", rate_per_s=250 / CLIENT_PROCESSES)
        log(f"{STUDENTS} sockets: {opened} in {time.monotonic() - started:.1f} s")
        meter = CpuMeter(
            {
                "worker": lambda: [worker.pid],
                "daphne": lambda: [p.pid for p in servers.processes],
                "postgres (all of the machine's)": postgres_pids,
            }
        )
        results = {"latencies": [], "ratios": [], "double_seats": 0, "repeats": 0, "spread": 0}
        for share in (0.5, 0.6):
            log(f"{share:.0%} women / {1 - share:.0%} men:")
            play(rounds_event(share, user_ids), clients, user_ids, meter, results)
    finally:
        if clients:
            clients.stop()
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        servers.stop()
    summary = {
        "bench": "rounds",
        "students": STUDENTS,
        "rounds": 2 * ROUNDS,
        "seat_p99_ms": round(pct(results["latencies"], 0.99)),
        "seated_ratio": round(min(results["ratios"]), 4),
        "repeat_partners": results["repeats"],
        "double_seats": results["double_seats"],
        "sitout_spread": results["spread"],
    }
    log(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
