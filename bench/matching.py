"""Matching benchmark: 5,000 students join a live event's queue over 10 s, everyone auto-accepts.

Real PostgreSQL, real Redis, two real Celery worker processes (plus Celery beat for the
sweeps, lease reaping, history flush and reconciliation). What is measured and how:

- Joins go through `services.ticket_enqueue` — the engine's half of a join (one atomic Redis
  script, then a `match_ticket` task for a worker). The web half (eligibility + ticket
  snapshot from PostgreSQL) is run for every user beforehand and timed separately, so the
  join window is not limited by this one bench process's CPU.
- Users "receive" frames exactly where their gateway socket would: the channel layer's
  per-user group channel in Redis (a listener process subscribes to every `user.<id>`
  group). Latency = receipt of `match.proposed` − the moment a compatible partner was
  available, i.e. max(own join, partner's join, either one's return to the queue after a failed
  proposal): join → proposed for the user whose partner was already waiting,
  partner-arrival → proposed for the one who waited.
- Accepts are sent by two acceptor processes (standing in for web pods) through
  `services.proposal_respond`, the same service the `match.accept` frame calls, after a
  human think time of 1–3 s.
- Processes run like production: DEBUG off, persistent database connections.
- double_matches: users who, in the atomic ticket history (ordered by a Redis sequence
  assigned inside the scripts), received a proposal while another was still open for them,
  plus users with more than one Match row in the event.
- stranded_compatible: compatible pairs both still waiting when the queue has settled.

- wrong_matches / lost_matches (every mode), abandoned_waiting (`--lose-redis`): defined in
  bench/redis_loss.py.

`--kill-worker` sends SIGKILL to one worker process in the middle of the join window.
`--lose-redis` runs everything (queue, Celery broker, channel layer) on a private redis-server
that keeps nothing on disk and restarts it EMPTY at t = 5 s of the join window; joins and
answers that meet the restart are retried as a user would, the listener resubscribes at once.
"""

import argparse
import heapq
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import redis_loss  # noqa: E402 - needs ROOT on the path
from scripts.private_redis import PrivateRedis  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.local")
# Pub/sub ignores Redis database numbers: a private channel prefix keeps other runs' frames out.
if not os.environ.get("CHANNEL_LAYER_PREFIX", "").endswith("_bench"):
    os.environ["CHANNEL_LAYER_PREFIX"] = os.environ.get("CHANNEL_LAYER_PREFIX", "mm") + "_bench"
# Run like production: no per-query debug bookkeeping, persistent database connections.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")
# People do not answer instantly: each simulated user says yes after a human think time.
THINK_TIME_S = (1.0, 3.0)

EMAIL_DOMAIN = "bench.matchminds.invalid"
# Two worker processes; threads let a drain run while the other thread sweeps or flushes history.
WORKER_POOL = os.environ.get("BENCH_WORKER_POOL", "threads")
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
EVENT_NAME = "bench-matching"


def django_setup() -> None:
    import django

    django.setup()


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# ---------------------------------------------------------------- setup


def create_population(users: int, seed: int) -> tuple[int, list[int]]:
    """Users, profiles, interests and blocks in bulk (setup data, not the thing measured)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import Interest, Profile, University, User
    from apps.events.models import Event
    from apps.moderation.models import Block
    from bench.consent import accept_current_policies

    rng = random.Random(seed)
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
    Event.objects.filter(name=EVENT_NAME).delete()
    now = timezone.now()
    event = Event.objects.create(
        name=EVENT_NAME,
        starts_at=now - timezone.timedelta(minutes=5),
        ends_at=now + timezone.timedelta(hours=2),
        allow_same_university=False,
        accept_timeout_s=20,
        max_wait_s=300,
    )
    universities = list(University.objects.values_list("pk", "region"))
    interest_ids = list(Interest.objects.values_list("pk", flat=True))
    password = make_password(None)
    with transaction.atomic():
        created = User.objects.bulk_create(
            [User(email=f"u{index}@{EMAIL_DOMAIN}", password=password) for index in range(users)], batch_size=1000
        )
        profiles = []
        for index, user in enumerate(created):
            gender = "M" if rng.random() < 0.55 else "F"
            roll = rng.random()
            seeking = ("F" if gender == "M" else "M") if roll < 0.90 else ("FM" if roll < 0.97 else gender)
            university_id, region = rng.choice(universities)
            profiles.append(
                Profile(
                    user=user,
                    nickname=f"b{index}",
                    gender=gender,
                    seeking=seeking,
                    birth_date=date(rng.randint(1998, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                    university_id=university_id,
                    region=region,
                )
            )
        Profile.objects.bulk_create(profiles, batch_size=1000)
        through = Profile.interests.through
        rows = []
        for profile in Profile.objects.filter(user__in=created).only("pk"):
            for interest_id in rng.sample(interest_ids, rng.randint(0, 5)):
                rows.append(through(profile_id=profile.pk, interest_id=interest_id))
        through.objects.bulk_create(rows, batch_size=5000)
        user_ids = [user.pk for user in created]
        accept_current_policies(user_ids)
        blocks = set()
        while len(blocks) < users // 50:
            blocker, blocked = rng.sample(user_ids, 2)
            blocks.add((blocker, blocked))
        Block.objects.bulk_create([Block(blocker_id=a, blocked_id=b) for a, b in blocks])
    return event.pk, user_ids


def prepare_snapshots(event_id: int, user_ids: list[int]) -> list:
    """The web half of every join: eligibility (live, scope, profile, 19+) and the ticket snapshot."""
    from apps.accounts.models import User
    from apps.events.services import event_require_joinable
    from apps.matching.selectors import ticket_snapshot_build

    snapshots = []
    users = User.objects.filter(pk__in=user_ids).select_related("profile__university").prefetch_related("profile__interests")
    for user in users:
        event = event_require_joinable(user=user, event_id=event_id)
        snapshots.append(ticket_snapshot_build(user=user, event=event))
    return snapshots


def reset_redis() -> None:
    from apps.core.redis import get_redis

    client = get_redis()
    for pattern in ("mq:*", "ratelimit:queue_join:*"):
        keys = list(client.scan_iter(pattern, count=5000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])


# ---------------------------------------------------------------- processes


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_worker(index: int, logdir: Path) -> subprocess.Popen:
    out = open(logdir / f"worker{index}.log", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "matchminds",
            "worker",
            "--pool",
            WORKER_POOL,
            "--concurrency",
            str(WORKER_CONCURRENCY),
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"bench{index}@%h",
        ],
        cwd=ROOT,
        env=child_env(),
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def start_beat(logdir: Path) -> subprocess.Popen:
    out = open(logdir / "beat.log", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "matchminds",
            "beat",
            "--loglevel",
            "WARNING",
            "--schedule",
            str(logdir / "beat-schedule"),
        ],
        cwd=ROOT,
        env=child_env(),
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def _pattern_subscription(redis_url: str, prefix: str):
    """Subscribe to every user group, retrying while Redis restarts."""
    import redis

    while True:
        try:
            pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
            pubsub.psubscribe(f"{prefix}__group__user.*")
            return pubsub
        except redis.exceptions.ConnectionError:
            time.sleep(0.01)


def _frame_extra(frame: dict) -> dict:
    """What the loss accounting needs beyond the kind, proposal and partner."""
    keys = ("match", "room", "requeued", "reason", "position", "state")
    return {key: frame[key] for key in keys if key in frame}


RECORDED_KINDS = ("match.proposed", "match.confirmed", "match.cancelled", "queue.left", "queue.status")


def listener_main(prefix: str, redis_url: str, accept_queue, results_path: str, stop, ready) -> None:
    """Stands in for every user's gateway socket: records each frame as it is published to `user.<id>`."""
    import msgpack
    import redis

    pubsub = _pattern_subscription(redis_url, prefix)
    ready.set()
    records = []
    marker = len(f"{prefix}__group__user.")
    while not stop.is_set():
        try:
            message = pubsub.get_message(timeout=0.2)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            pubsub = _pattern_subscription(redis_url, prefix)  # Redis restarted: resubscribe at once, like a gateway
            continue
        if message is None:
            continue
        received = time.time()
        frame = msgpack.unpackb(message["data"], raw=False)["frame"]
        user_id = int(message["channel"][marker:])
        kind = frame["type"]
        if kind in RECORDED_KINDS:
            partner = frame.get("partner", {}).get("user_id")
            records.append((received, user_id, kind, frame.get("proposal"), partner, _frame_extra(frame)))
            if kind == "match.proposed":
                accept_queue.put((received + random.uniform(*THINK_TIME_S), user_id, frame["proposal"]))
    with open(results_path, "w") as handle:
        json.dump(records, handle)


def acceptor_main(accept_queue, stop) -> None:
    """Everyone says yes, through the same service the `match.accept` frame calls."""
    django_setup()
    import redis
    from django.db import close_old_connections

    from apps.core.errors import DomainError
    from apps.matching.services import proposal_respond

    def accept(user_id: int, proposal_id: int) -> None:
        for _attempt in range(50):
            try:
                proposal_respond(user_id=user_id, proposal_id=proposal_id, accept=True)
                return
            except DomainError:
                return  # the proposal was cancelled (e.g. its lease expired after a worker was killed)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
                time.sleep(0.1)  # Redis restarting (--lose-redis): the user taps again
            finally:
                close_old_connections()  # closes only connections past DB_CONN_MAX_AGE or broken

    due: list[tuple[float, int, int]] = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        while not (stop.is_set() and accept_queue.empty() and not due):
            try:
                for _ in range(1000):
                    heapq.heappush(due, accept_queue.get_nowait())
            except Exception:
                pass  # nothing more queued right now
            now = time.time()
            while due and due[0][0] <= now:
                _, user_id, proposal_id = heapq.heappop(due)
                pool.submit(accept, user_id, proposal_id)
            time.sleep(0.01)


# ---------------------------------------------------------------- run


def waiting_starts(event_id: int) -> dict[tuple[int, int], list[float]]:
    """(user, proposal) → the time the user last re-entered the queue before that proposal."""
    from apps.matching.models import TicketEvent

    last_requeue: dict[int, float] = {}
    result: dict[tuple[int, int], list[float]] = {}
    rows = TicketEvent.objects.filter(event_id=event_id).order_by("seq").values_list("user_id", "kind", "proposal_id", "at")
    for user_id, kind, proposal_id, at in rows.iterator():
        if kind == "requeued":
            last_requeue[user_id] = at.timestamp()
        elif kind == "proposed" and user_id in last_requeue:
            result[(user_id, proposal_id)] = [last_requeue[user_id]]
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def history_double_proposals(event_id: int) -> set[int]:
    """Replay the atomic ticket history: a proposal while another is open for the same user is a double."""
    from apps.matching.models import TicketEvent

    open_proposal: dict[int, int] = {}
    doubles: set[int] = set()
    rows = TicketEvent.objects.filter(event_id=event_id).order_by("seq").values_list("user_id", "kind", "proposal_id")
    for user_id, kind, proposal_id in rows.iterator():
        if kind == "proposed":
            if user_id in open_proposal:
                doubles.add(user_id)
            open_proposal[user_id] = proposal_id
        elif kind in ("declined", "timed_out", "requeued", "matched", "left"):
            open_proposal.pop(user_id, None)
    return doubles


LOSE_REDIS_AT_S = 5.0


def _private_redis_for(args) -> PrivateRedis | None:
    """--lose-redis: everything runs on a private redis-server (the bench restarts it), set before Django reads settings."""
    if not args.lose_redis:
        return None
    server = PrivateRedis(extra_args=("--maxclients", "10000"))
    server.start()
    os.environ["REDIS_URL"] = server.url
    os.environ.pop("CELERY_BROKER_URL", None)
    return server


def join_with_retries(services, snapshot) -> None:
    """One student's join; while Redis restarts or the queue is being restored they try again, as people do."""
    import redis

    from apps.core.errors import DomainError

    deadline = time.monotonic() + 30
    while True:
        try:
            services.ticket_enqueue(snapshot=snapshot)
            return
        except DomainError as error:
            if error.code == "already_queued":
                return  # an earlier attempt went through before its answer was lost
            if error.code != "queue_restoring" or time.monotonic() > deadline:
                raise
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--lose-redis", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    private_redis = _private_redis_for(args)

    django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench-matching needs PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)

    from apps.core.redis import get_redis
    from apps.matching import queue, selectors, services
    from apps.matching.models import Match
    from matchminds.celery import app as celery_app

    logdir = Path(tempfile.mkdtemp(prefix="bench-matching-"))
    log(
        f"# matching benchmark: {args.users} users over {args.window:.0f} s, kill-worker={args.kill_worker}, "
        f"lose-redis={args.lose_redis}"
    )
    log(f"# {os.cpu_count()} CPUs (shared machine: other jobs may be running); logs in {logdir}")

    started = time.perf_counter()
    event_id, user_ids = create_population(args.users, args.seed)
    log(f"phase setup: population of {len(user_ids)} users created in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    snapshots = prepare_snapshots(event_id, user_ids)
    prepare_s = time.perf_counter() - started
    log(
        f"phase prepare: eligibility + ticket snapshot for {len(snapshots)} users in {prepare_s:.1f} s "
        f"({prepare_s / len(snapshots) * 1000:.2f} ms/user in one process)"
    )
    by_user = {snapshot.user_id: snapshot for snapshot in snapshots}
    genders = defaultdict(int)
    for snapshot in snapshots:
        genders[f"{snapshot.gender}>{snapshot.seeking}"] += 1
    log(f"phase prepare: population {dict(sorted(genders.items()))}, blocks {args.users // 50}, same-university rule on")

    reset_redis()
    # The queue's first epoch (or a restore after reset_redis) happens here, not in the join window.
    services.queue_state_ensure()
    celery_app.control.purge()
    workers = [start_worker(index, logdir) for index in (1, 2)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(celery_app.control.ping(timeout=0.5) or []) < 2:
        time.sleep(0.2)
    beat = start_beat(logdir)
    log(f"phase start: 2 Celery workers (pool {WORKER_POOL} x{WORKER_CONCURRENCY}) + beat up; pids {[w.pid for w in workers]}")

    ctx = multiprocessing.get_context("spawn")
    stop, ready = ctx.Event(), ctx.Event()
    accept_queue = ctx.Queue()
    results_path = str(logdir / "frames.json")
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    listener = ctx.Process(target=listener_main, args=(prefix, settings.REDIS_URL, accept_queue, results_path, stop, ready))
    # Two acceptor processes stand in for the web pods that would receive the accept frames.
    acceptors = [ctx.Process(target=acceptor_main, args=(accept_queue, stop)) for _ in range(2)]
    listener.start()
    for acceptor in acceptors:
        acceptor.start()
    ready.wait(30)
    time.sleep(1.0)

    rng = random.Random(args.seed)
    order = list(by_user)
    rng.shuffle(order)
    offsets = sorted(rng.uniform(0, args.window) for _ in order)
    join_times: dict[int, float] = {}
    enqueue_ms: list[float] = []
    killed_at = None
    loss_at = None
    start = time.time()
    kill_at = start + args.window / 2

    for user_id, offset in zip(order, offsets, strict=True):
        due = start + offset
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        if args.kill_worker and killed_at is None and time.time() >= kill_at:
            os.kill(workers[0].pid, signal.SIGKILL)
            killed_at = time.time() - start
            log(f"phase join: SIGKILL sent to worker pid {workers[0].pid} at t={killed_at:.2f} s")
        if private_redis is not None and loss_at is None and time.time() >= start + LOSE_REDIS_AT_S:
            loss_at = time.time()
            down_s = private_redis.restart_empty()
            log(f"phase join: Redis killed and restarted EMPTY at t={loss_at - start:.2f} s (down {down_s * 1000:.0f} ms)")
        join_times[user_id] = time.time()
        join_with_retries(services, by_user[user_id])
        enqueue_ms.append((time.time() - join_times[user_id]) * 1000)
    join_window = time.time() - start
    log(
        f"phase join: {len(join_times)} joins in {join_window:.2f} s ({len(join_times) / join_window:.0f}/s achieved); "
        f"enqueue call p50 {percentile(enqueue_ms, 0.5):.2f} ms, p95 {percentile(enqueue_ms, 0.95):.2f} ms"
    )

    # Settle: no proposal open, nothing stranded, for a few consecutive checks (sweeps run every second).
    event = __import__("apps.events.models", fromlist=["Event"]).Event.objects.get(pk=event_id)
    settle_started = time.time()
    quiet = 0
    while time.time() - settle_started < 90 and quiet < 3:
        time.sleep(1.0)
        open_leases = get_redis().zcard(f"mq:{event_id}:leases")
        stranded_now = selectors.stranded_pairs(event_id=event_id, allow_same_university=event.allow_same_university)
        quiet = quiet + 1 if open_leases == 0 and not stranded_now else 0
    settle_s = time.time() - settle_started
    log(f"phase settle: queue settled {settle_s:.1f} s after the last join")

    cpu = {f"worker{index}": cpu_seconds(worker.pid) for index, worker in enumerate(workers, 1)}
    cpu.update(beat=cpu_seconds(beat.pid), listener=cpu_seconds(listener.pid), bench=cpu_seconds(os.getpid()))
    cpu.update({f"acceptor{index}": cpu_seconds(a.pid) for index, a in enumerate(acceptors, 1)})
    log("phase settle: CPU seconds used so far " + ", ".join(f"{name} {value:.1f}" for name, value in cpu.items()))
    stop.set()
    listener.join(30)
    for acceptor in acceptors:
        acceptor.join(60)
    services.ticket_history_flush()
    while services.ticket_history_flush():
        continue
    beat.terminate()
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for process in [beat, *workers]:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()

    with open(results_path) as handle:
        records = json.load(handle)
    first_proposed: dict[int, tuple[float, int, int]] = {}
    proposals, confirmed_frames, cancelled_frames = set(), 0, 0
    last_proposed_at = start
    for received, user_id, kind, proposal_id, partner_id, _extra in records:
        if kind == "match.proposed":
            proposals.add(proposal_id)
            last_proposed_at = max(last_proposed_at, received)
            first_proposed.setdefault(user_id, (received, proposal_id, partner_id))
        elif kind == "match.confirmed":
            confirmed_frames += 1
        elif kind == "match.cancelled":
            cancelled_frames += 1
    waiting_since = waiting_starts(event_id)

    def available_at(user_id: int, partner_id: int, proposal_id: int) -> float:
        """When both were waiting: the later of their joins, or of a return to the queue after a
        partner's timeout (a user inside another proposal is not available)."""
        starts = [join_times[user_id], join_times.get(partner_id, join_times[user_id])]
        starts += waiting_since.get((user_id, proposal_id), []) + waiting_since.get((partner_id, proposal_id), [])
        return max(starts)

    latencies = []
    for user_id, (received, proposal_id, partner_id) in first_proposed.items():
        if user_id not in join_times:
            continue
        latencies.append((received - available_at(user_id, partner_id, proposal_id)) * 1000)
    direct = [
        (received - join_times[user_id]) * 1000
        for user_id, (received, _p, partner_id) in first_proposed.items()
        if user_id in join_times and join_times[user_id] >= join_times.get(partner_id, 0)
    ]
    # Where the time goes: arrival → atomic claim (task dispatch + drain), claim → frame received.
    claimed_at = {}
    for proposal_id, proposal in zip(sorted(proposals), queue.proposals_get(sorted(proposals)), strict=True):
        if proposal.get("at"):
            claimed_at[proposal_id] = float(proposal["at"]) / 1000
    to_claim, to_frame = [], []
    for user_id, (received, proposal_id, partner_id) in first_proposed.items():
        if user_id in join_times and proposal_id in claimed_at:
            available = available_at(user_id, partner_id, proposal_id)
            to_claim.append((claimed_at[proposal_id] - available) * 1000)
            to_frame.append((received - claimed_at[proposal_id]) * 1000)
    matches = list(Match.objects.filter(event_id=event_id).values_list("user_a_id", "user_b_id"))
    per_user = defaultdict(int)
    for a, b in matches:
        per_user[a] += 1
        per_user[b] += 1
    doubles = history_double_proposals(event_id) | {user_id for user_id, count in per_user.items() if count > 1}
    stranded = selectors.stranded_pairs(event_id=event_id, allow_same_university=event.allow_same_university)
    waiting = queue.waiting(event_id=event_id)
    from apps.matching.models import TicketEvent

    matched_users = set(per_user)
    waiting_users = {row[0] for row in waiting} | {int(u) for u in queue.ticket_user_ids(event_id=event_id)}
    last_kind = dict(
        TicketEvent.objects.filter(event_id=event_id).order_by("seq").values_list("user_id", "kind")
    )  # later rows overwrite earlier ones: the last entry per user
    timed_out = {u for u, kind in last_kind.items() if kind in ("timed_out", "declined", "left")}
    lost = [u for u in join_times if u not in matched_users | waiting_users | timed_out]
    waiting_by = defaultdict(int)
    for _, gender, seeking, _ in waiting:
        waiting_by[f"{gender}>{seeking}"] += 1
    busy_s = max(last_proposed_at - start, 1e-9)
    rows = Match.objects.filter(event_id=event_id).values_list("pk", "user_a_id", "user_b_id", "room_id")
    match_rows = {pk: (a, b, room) for pk, a, b, room in rows}
    wrong_matches, lost_matches = redis_loss.match_counts(records, match_rows)
    loss_summary = {}
    if loss_at is not None:
        at_loss = redis_loss.waiting_at_loss(records, join_times, loss_at)
        holders = {int(u) for u in queue.ticket_user_ids(event_id=event_id)}
        abandoned, fates = redis_loss.abandoned(records, at_loss, loss_at, holders)
        log(f"phase results: waiting at the loss {len(at_loss)}: {fates}")
        loss_summary = {"abandoned_waiting": abandoned, "waiting_at_loss": len(at_loss)}
    log(
        f"phase results: proposals {len(proposals)}, match.confirmed frames {confirmed_frames}, "
        f"match.cancelled frames {cancelled_frames}, Match rows {len(matches)}"
    )
    log(
        f"phase results: latency (partner available → match.proposed) over {len(latencies)} users: "
        f"p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies, default=0):.1f} ms"
    )
    log(
        f"phase results: split: available → atomic claim p50 {percentile(to_claim, 0.5):.1f} / p95 "
        f"{percentile(to_claim, 0.95):.1f} ms; claim → frame received p50 {percentile(to_frame, 0.5):.1f} / p95 "
        f"{percentile(to_frame, 0.95):.1f} ms"
    )
    log(
        f"phase results: join → match.proposed for the {len(direct)} users whose partner was already waiting: "
        f"p50 {percentile(direct, 0.5):.1f} ms, p95 {percentile(direct, 0.95):.1f} ms"
    )
    log(
        f"phase results: still waiting {len(waiting)} {dict(sorted(waiting_by.items()))}, "
        f"left by rule (accept timeout) {len(timed_out)}, lost tickets {len(lost)}, "
        f"double matches {len(doubles)}, stranded compatible pairs {len(stranded)}"
    )
    log(
        json.dumps(
            {
                "bench": "matching",
                "users": args.users,
                "window_s": int(args.window),
                "proposed": len(proposals),
                "confirmed": len(matches),
                "p50_ms": round(percentile(latencies, 0.5), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1),
                "p99_ms": round(percentile(latencies, 0.99), 1),
                "double_matches": len(doubles),
                "stranded_compatible": len(stranded),
                "pairings_per_s": round(len(proposals) / busy_s, 1),
                "wrong_matches": wrong_matches,
                "lost_matches": lost_matches,
                **loss_summary,
            },
            separators=(",", ":"),
        )
    )
    if private_redis is not None:
        private_redis.kill()


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
