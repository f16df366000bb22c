"""`make bench-cluster`: one event on the cluster of deploy/cluster while it loses hosts.

Students connect through HAProxy, join the queue in a steady stream, accept their proposals
and chat 1:1 with their match, while, in this order: every process of one web host is killed
(-9) and later restarted; another web host's link is cut for 20 s; the Redis primary's host is
killed (-9) and a Sentinel promotes the replica; a worker host is killed (-9) while it pairs;
every web host is restarted in turn with the graceful drain. Then every client's history is
compared with PostgreSQL.

    make bench-cluster                        # 2,000 students
    make bench-cluster ARGS="--students 200"  # a smaller run for development

The load generator runs on the cluster's client host (its own network namespace); the cluster
is brought up first when none is up and always torn down at the end.
LAST line: {"bench":"cluster","students":..,"messages":..,"lost":0,...,"queue_lost_alert_s":..}
"""

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cluster_audit import CpuTracker, audit, prepare, probe_http, wait_alert  # noqa: E402
from bench.cluster_clients import FRAMES, Student  # noqa: E402

CHAT_INTERVAL_S = 4.0
# The whole event's messages per second at most: 2,000 students each send one every ~33 s, a
# human pace. A 1:1 message costs ~10 ms of CPU across the hosts (cluster-detail's
# cpu_ms_per_message): 60/s take a third of the 2 cores the cluster and the load generator
# share, the rest is left for the faults' reconnect storms (250/s took more than both cores).
MESSAGES_PER_S_MAX = 60
# At the end, how long the bench waits for every student to be connected again (a client backs
# off up to 30 s between attempts), then for the answer to her last resume.
RECONNECT_WAIT_S = 90.0
RESUME_WAIT_S = 30.0
BASELINE_S = 10.0
# At least this long, and whole heartbeat intervals (measure_costs.phase): a socket's first ping
# comes one interval after its hello, so a 15 s idle phase right after the storm saw almost no
# pings and the heartbeats' cost landed on the pairing and chat phases instead.
IDLE_MIN_S = 15.0
PAIRING_PHASE_S = 20.0
# The pairing phase's joins arrive at this rate (a crowd, but one the 2 shared cores can serve).
PAIRING_JOINS_PER_S = 25.0
CHAT_PHASE_S = 15.0
# Seconds of writes the Redis replica misses before the primary is killed (the failover's lag).
REPLICA_LAG_S = 5.0


def log(message: str) -> None:
    print(f"[bench-cluster {time.strftime('%H:%M:%S')}] {message}", flush=True)


def cluster(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "deploy.cluster.cluster", *args], cwd=ROOT, check=True)


async def faults(marks: dict, *, students: list[Student]) -> None:
    """The issue's fault sequence, in order; `marks` records when each began (monotonic s)."""
    from deploy.cluster import cluster as harness
    from deploy.cluster import netns
    from deploy.cluster.topology import REDIS_PRIMARY, REDIS_REPLICA, WEBS, WORKERS

    def fail_over_to_stale_replica() -> None:
        netns.kill_namespace(REDIS_PRIMARY.namespace)
        netns.set_link(REDIS_REPLICA, up=True)

    async def step(name: str, action, *args) -> None:
        marks[name] = time.monotonic()
        log(f"fault: {name}")
        await asyncio.to_thread(action, *args)

    await asyncio.sleep(10)
    await step("kill_web1", netns.kill_namespace, WEBS[0].namespace)
    await asyncio.sleep(10)
    await step("restart_web1", harness.start_host, WEBS[0])
    await asyncio.sleep(5)
    await step("cut_web2", lambda: netns.set_link(WEBS[1], up=False))
    await asyncio.sleep(20)
    await step("restore_web2", lambda: netns.set_link(WEBS[1], up=True))
    await asyncio.sleep(10)
    # The replica must miss the newest writes, as an ElastiCache replica does when its primary
    # dies: its cable is cut while joins and pairings go on, the primary is killed, and the
    # cable comes back just in time for the Sentinels to promote the stale replica.
    await step("lag_replica", lambda: netns.set_link(REDIS_REPLICA, up=False))
    await asyncio.sleep(REPLICA_LAG_S)
    await step("redis_failover", fail_over_to_stale_replica)
    await asyncio.sleep(20)
    await step("kill_worker1", netns.kill_namespace, WORKERS[0].namespace)
    await asyncio.sleep(10)
    await step("restart_worker1", harness.start_host, WORKERS[0])
    await asyncio.sleep(5)
    marks["rolling_start"] = time.monotonic()
    for web in WEBS:
        await step(f"drain_{web.name}", harness.drain, web)
    marks["rolling_end"] = time.monotonic()
    log("fault sequence done")


async def measure_costs(
    students: list[Student], tracker: CpuTracker, *, joiners: int, connections: list, connect_rate: float
) -> dict:
    """CPU ms per unit, each phase net of what the cluster spends anyway.

    baseline (no sockets) → connect storm → idle in the lobby → the first `joiners` join and
    pair (no chat) → idle again, half of them in rooms → their pairs chat (no joins). An idle
    phase lasts one heartbeat interval, so every socket pings once, as in any minute of an event;
    each student is on the event's lobby page (lobby.enter) until she has a room. Connect and idle
    (the second: an event's mix of sockets in rooms and in the lobby) are net of the baseline
    (beat's tasks, the probes); pairing is net of the lobby's idle phase and chat of the second,
    since every socket stays open and keeps its heartbeat through them. The fault run that
    follows measures correctness.
    """
    count = len(students)

    async def phase(seconds: float | None = None, until=None, *, whole_heartbeats: bool = False) -> tuple[dict, float]:
        """`whole_heartbeats`: the phase lasts a whole number of heartbeat intervals. The sockets'
        pings keep the phases of the storm's connects, bunched into its first seconds of every
        interval; a phase cut anywhere else counted more or fewer pings than its idle baseline
        (a 15 s chat phase saw 140 pings/s against the idle phase's 80), charged to its unit."""
        before, started = tracker.sample(), time.monotonic()
        if until is not None:
            await until
        if seconds is not None:
            await asyncio.sleep(max(0.0, seconds - (time.monotonic() - started)))
        if whole_heartbeats:
            interval = max(student.heartbeat_s for student in students)
            elapsed = time.monotonic() - started
            await asyncio.sleep(math.ceil(elapsed / interval - 1e-6) * interval - elapsed)
        return _spent(before, tracker.sample()), time.monotonic() - started

    baseline, baseline_s = await phase(BASELINE_S)
    rate = {host: seconds / baseline_s for host, seconds in baseline.items()}

    def net(spent: dict, duration: float, units: float, *, of: dict) -> dict:
        return {host: round(max(0.0, spent[host] - of[host] * duration) * 1000 / max(units, 1), 3) for host in spent}

    async def connect_all() -> None:
        # Students arrive at --connect-rate per second, as a crowd does (all at once, every handshake
        # queued behind the others and timed out into a retry storm).
        started = time.monotonic()
        for index, student in enumerate(students):
            await asyncio.sleep(max(0.0, started + index / connect_rate - time.monotonic()))
            connections.append(asyncio.create_task(student.run()))
        await asyncio.gather(*(student.connected.wait() for student in students))

    connect, connect_s = await phase(until=connect_all())

    async def idle_phase() -> tuple[dict, float, dict, int]:
        """One heartbeat interval with nothing sent: every socket pings once."""
        pongs_before = FRAMES["pong"]
        spent, seconds = await phase(IDLE_MIN_S, whole_heartbeats=True)
        return spent, seconds, {host: cpu / seconds for host, cpu in spent.items()}, FRAMES["pong"] - pongs_before

    _lobby, lobby_s, lobby_rate, lobby_pongs = await idle_phase()
    log(f"{count} students connected in {connect_s:.1f} s; idle in the lobby {lobby_s:.0f} s, {lobby_pongs} heartbeats")
    log(f"{joiners} join with chat paused")

    async def pair_first() -> None:
        started = time.monotonic()
        for index, student in enumerate(students[:joiners]):
            await asyncio.sleep(max(0.0, started + index / PAIRING_JOINS_PER_S - time.monotonic()))
            student.join()
        deadline = time.monotonic() + PAIRING_PHASE_S
        while time.monotonic() < deadline and any(s.state != "matched" for s in students[:joiners]):
            await asyncio.sleep(0.5)

    pairing, pairing_s = await phase(until=pair_first(), whole_heartbeats=True)
    pairings = sum(1 for s in students[:joiners] if s.state == "matched") / 2
    # Idle again, half of them in rooms now, as the chat phase has them: it is net of this one,
    # whatever a heartbeat in a room costs next to one in the lobby.
    idle, idle_s, idle_rate, idle_pongs = await idle_phase()
    log(f"idle with {joiners} in rooms {idle_s:.0f} s, {idle_pongs} heartbeats")
    acked_before = sum(len(s.acked) for s in students)
    for student in students:
        student.paused = False
    chat, chat_s = await phase(CHAT_PHASE_S, whole_heartbeats=True)
    deliveries = sum(len(s.acked) for s in students) - acked_before
    log(f"cost phases: {pairings:.0f} pairings in {pairing_s:.0f} s, {deliveries} messages in {chat_s:.0f} s")
    log(f"frames so far: {dict(FRAMES.most_common())}; client CPU {tracker.sample()['client']:.1f} s")
    return {
        "cpu_ms_per_connect": net(connect, connect_s, count, of=rate),
        "cpu_ms_per_idle_socket_minute": net(idle, idle_s, count * idle_s / 60, of=rate),
        "cpu_ms_per_pairing": net(pairing, pairing_s, pairings, of=lobby_rate),
        "cpu_ms_per_message": net(chat, chat_s, deliveries, of=idle_rate),
        "cost_phases": {
            "pairings": pairings,
            "messages": deliveries,
            "idle_s": round(idle_s, 1),
            "idle_heartbeats": idle_pongs,
            "idle_in_rooms": joiners,
            "baseline_cpu_s_per_s": rate,
            "frames_received": dict(FRAMES),
        },
    }


async def run(args, plan: dict) -> dict:
    from deploy.cluster.topology import HTTP_PORT, LB

    event_id = plan["event"]
    # Each student sends one message every CHAT_INTERVAL_S, less often when there are many of them.
    chat_interval_s = max(CHAT_INTERVAL_S, len(plan["students"]) / MESSAGES_PER_S_MAX)
    students = [
        Student(spec, host=LB.address, port=HTTP_PORT, event_id=event_id, chat_interval_s=chat_interval_s)
        for spec in plan["students"]
    ]
    tracker = CpuTracker()
    sampler = asyncio.create_task(tracker.run())
    connections: list = []
    chats = [asyncio.create_task(student.chat()) for student in students]
    joiners = (len(students) // 4) * 2
    costs = await measure_costs(students, tracker, joiners=joiners, connections=connections, connect_rate=args.connect_rate)
    marks: dict = {"start": time.monotonic()}
    probes: list = []
    prober = asyncio.create_task(probe_http(LB.address, HTTP_PORT, probes))
    later = students[joiners:]

    async def joins() -> None:
        for index, student in enumerate(later):
            await asyncio.sleep(max(0.0, marks["start"] + args.join_span_s * index / len(later) - time.monotonic()))
            student.join()

    joining = asyncio.create_task(joins())
    alert = asyncio.create_task(wait_alert(marks))
    await faults(marks, students=students)
    await joining
    log(f"settling {args.settle_s:.0f} s")
    await asyncio.sleep(args.settle_s)
    await finish(students)
    prober.cancel()
    sampler.cancel()
    alert_s = await alert
    for task in chats + connections:
        task.cancel()
    await asyncio.gather(*chats, *connections, return_exceptions=True)
    return {"marks": marks, "probes": probes, "alert_s": alert_s, "costs": costs, "students": students, "frames": FRAMES}


async def finish(students: list[Student]) -> None:
    """Stop chatting, get every send acknowledged, wait for every student to be back and to have
    resumed her room once more (bounded), close.

    A message counts as lost only for a student who is connected again and whose last resume was
    answered: until then what she lacks is still on its way, not lost. One who never came back
    within RECONNECT_WAIT_S is reported on her own (`clients_not_back`).
    """
    for student in students:
        student.chatting = False
    await asyncio.gather(*(student.finish_sends(30) for student in students))
    deadline = time.monotonic() + RECONNECT_WAIT_S
    while time.monotonic() < deadline and not all(student.connected.is_set() for student in students):
        await asyncio.sleep(0.5)
    asked = {student: student.batches for student in students if student.room and student.connected.is_set()}
    for student in asked:
        student.resume()
    deadline = time.monotonic() + RESUME_WAIT_S
    while time.monotonic() < deadline and any(student.batches <= before for student, before in asked.items()):
        await asyncio.sleep(0.5)
    for student, before in asked.items():
        student.resumed_at_end = student.batches > before
    for student in students:
        student.back_at_end = student.connected.is_set()
        student.stop()


def _spent(before: dict, after: dict) -> dict:
    return {host: round(after[host] - before.get(host, 0.0), 3) for host in after}


def inner(args) -> None:
    plan = prepare(students=args.students)
    log(f"prepared {args.students} students in event {plan['event']}")
    # uvloop: the load generator shares the 2 cores with the cluster it loads.
    result = uvloop.run(run(args, plan))
    summary, detail = audit(result, plan)
    print(json.dumps({"bench": "cluster-detail", **detail}), flush=True)
    print(json.dumps(summary), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--join-span-s", type=float, default=120.0, help="joins spread over this long (default 120 s)")
    parser.add_argument("--settle-s", type=float, default=30.0, help="after the faults, before the audit")
    parser.add_argument("--connect-rate", type=float, default=200.0, help="students connecting per second (default 200)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="leave the cluster up afterwards")
    args = parser.parse_args()
    if args.inner:
        inner(args)
        return
    from deploy.cluster import netns
    from deploy.cluster.topology import CLIENT

    brought_up = not netns.namespaces()
    if brought_up:
        cluster("up")
    try:
        argv = [sys.executable, str(Path(__file__).resolve()), "--inner", "--students", str(args.students)]
        argv += ["--join-span-s", str(args.join_span_s), "--settle-s", str(args.settle_s)]
        argv += ["--connect-rate", str(args.connect_rate)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        code = subprocess.run(["ip", "netns", "exec", CLIENT.namespace, *argv], cwd=ROOT, env=env).returncode
    finally:
        if brought_up and not args.keep:
            cluster("down")
    sys.exit(code)


if __name__ == "__main__":
    main()
