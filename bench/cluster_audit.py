"""Set-up, probes and the final audit of `make bench-cluster` (run on the cluster's client host)."""

import asyncio
import os
import random
import resource
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROBE_INTERVAL_S = 0.1
ALERT_WAIT_S = 90
EMAIL_DOMAIN = "cluster.bench"


def django_setup() -> None:
    from deploy.cluster.services import app_env
    from deploy.cluster.topology import CLIENT

    os.environ.update(app_env(role="bench", host=CLIENT))
    import django

    django.setup()


def prepare(*, students: int) -> dict:
    """A live event, `students` students (half women, half men, all verified adults) with sessions."""
    django_setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from apps.accounts.models import Profile, University, User
    from apps.events.models import Event
    from bench.consent import accept_current_policies

    rng = random.Random(26)
    now = timezone.now()
    universities = list(University.objects.values_list("pk", "region"))
    with transaction.atomic():
        event = Event.objects.create(
            name=f"cluster bench {int(time.time())}",
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=2),
            allow_same_university=True,
            accept_timeout_s=20,
            max_wait_s=900,
        )
        users = User.objects.bulk_create(
            [User(email=f"s{i}-{event.pk}@{EMAIL_DOMAIN}", password="!bench") for i in range(students)], batch_size=2000
        )
        accept_current_policies([user.pk for user in users])
        profiles = []
        for index, user in enumerate(users):
            gender = "F" if index % 2 else "M"
            university_id, region = rng.choice(universities)
            profiles.append(
                Profile(
                    user=user,
                    nickname=f"c{event.pk}-{index}",
                    gender=gender,
                    seeking="M" if gender == "F" else "F",
                    birth_date=date(2001, 5, 17),
                    university_id=university_id,
                    region=region,
                )
            )
        Profile.objects.bulk_create(profiles, batch_size=2000)
        store, expire = SessionStore(), now + timedelta(days=1)
        sessions = [
            Session(
                session_key=get_random_string(32),
                session_data=store.encode(
                    {
                        "_auth_user_id": str(user.pk),
                        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                        "_auth_user_hash": user.get_session_auth_hash(),
                    }
                ),
                expire_date=expire,
            )
            for user in users
        ]
        Session.objects.bulk_create(sessions, batch_size=2000)
    return {
        "event": event.pk,
        "students": [{"user": user.pk, "session": session.session_key} for user, session in zip(users, sessions, strict=True)],
    }


class CpuTracker:
    """CPU seconds used by each host's processes, sampled every second so that a process killed
    with -9 keeps the CPU it had used when it was last seen."""

    def __init__(self) -> None:
        from deploy.cluster.topology import CLIENT, HOSTS

        self.hosts = [host for host in HOSTS if host is not CLIENT]
        self.seen: dict[tuple[str, int], float] = {}

    def sample(self) -> dict[str, float]:
        from deploy.cluster import netns

        for host in self.hosts:
            for pid in netns.pids(host.namespace):
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                self.seen[(host.name, pid)] = (int(fields[11]) + int(fields[12])) / TICKS
        totals = dict.fromkeys((host.name for host in self.hosts), 0.0)
        for (name, _pid), seconds in self.seen.items():
            totals[name] += seconds
        # The load generator itself (capacity_report.py's roles ignore it): is it the bottleneck?
        usage = resource.getrusage(resource.RUSAGE_SELF)
        totals["client"] = usage.ru_utime + usage.ru_stime
        return totals

    async def run(self) -> None:
        while True:
            await asyncio.to_thread(self.sample)
            await asyncio.sleep(1.0)


async def probe_http(host: str, port: int, probes: list) -> None:
    """GET / through HAProxy every 100 ms: (monotonic s, HTTP status or 0 for a failed request)."""
    request = f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    while True:
        at, status = time.monotonic(), 0
        try:
            async with asyncio.timeout(5):
                reader, writer = await asyncio.open_connection(host, port)
                writer.write(request)
                line = await reader.readline()
                status = int(line.split()[1]) if line.startswith(b"HTTP/") else 0
                writer.close()
        except (OSError, TimeoutError, ValueError, IndexError):
            status = 0
        probes.append((at, status))
        await asyncio.sleep(PROBE_INTERVAL_S)


async def wait_alert(marks: dict) -> float | None:
    """Seconds from the Redis failover to the first alert about Redis or the queue state, or None."""
    while "redis_failover" not in marks:
        await asyncio.sleep(0.5)
    failed_over_wall = time.time() - (time.monotonic() - marks["redis_failover"])

    def fired():
        from django.db.models import Q

        from apps.alerts.models import Alert

        alert = (
            Alert.objects.filter(Q(rule__name__icontains="redis") | Q(rule__name__icontains="queue-state"))
            .filter(fired_at__gte=datetime.fromtimestamp(failed_over_wall, tz=UTC))
            .order_by("fired_at")
            .values_list("rule__name", "fired_at")
            .first()
        )
        return alert

    def restored():
        from apps.matching.models import QueueEpoch

        return (
            QueueEpoch.objects.filter(started_at__gte=datetime.fromtimestamp(failed_over_wall, tz=UTC))
            .order_by("pk")
            .values_list("cause", "started_at")
            .first()
        )

    deadline = time.monotonic() + ALERT_WAIT_S
    while time.monotonic() < deadline:
        alert = await asyncio.to_thread(fired)
        if alert:
            marks["alert_rule"] = alert[0]
            # When the sweep found the loss and restored (the alert follows at its next evaluation).
            epoch = await asyncio.to_thread(restored)
            if epoch:
                restored_s = round(epoch[1].timestamp() - failed_over_wall, 1)
                marks["queue_restore"] = {"cause": epoch[0], "after_failover_s": restored_s}
            return round(alert[1].timestamp() - failed_over_wall, 1)
        await asyncio.sleep(1)
    return None


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def message_losses(students: list, *, by_room: dict[int, set[int]], ids_by_sender: dict[int, set[str]]):
    """Messages lost, by kind, with examples, and the set of students who are back.

    Back: connected at the end and, with a room, her last resume answered. What one who is not
    back lacks may still be on its way: she is counted apart (`clients_not_back`), not as losses.
    `by_room`: the seqs PostgreSQL holds per room; `ids_by_sender`: the client_msg_ids it holds per sender.
    """
    from collections import Counter

    losses, examples = Counter(never_delivered=0, acked_not_stored=0, never_acked=0), []
    back = {student for student in students if student.back_at_end and (student.resumed_at_end or not student.room)}
    for student in students:
        mine = ids_by_sender.get(student.user, set())
        # Acknowledged by the server but absent from PostgreSQL: lost whether she is back or not.
        losses["acked_not_stored"] += sum(1 for cid in student.acked if cid not in mine)
        if student not in back:
            continue
        missing = sorted(by_room.get(student.room, set()) - student.seen) if student.room else []
        losses["never_delivered"] += len(missing)
        # A send still unacknowledged after 30 s of retries on a live socket, and not stored either.
        unstored = bool(student.pending and student.pending["client_msg_id"] not in mine)
        losses["never_acked"] += unstored
        if missing or unstored:
            examples.append({"user": student.user, "room": student.room, "missing_seqs": missing[:5], "unacked": student.pending})
    return losses, examples, back


def shown_out_of_order(shown: list[int]) -> int:
    """Messages a page showed after one with a higher seq."""
    return sum(1 for before, after in zip(shown, shown[1:], strict=False) if after <= before)


def overlapping_matches(rows: list[tuple]) -> set[int]:
    """Students in two matches at once: a match made while another of theirs was still active.

    `rows`: (user_a, user_b, room, created_at, ended_at or None) of every match of the event.
    """
    by_user: dict[int, list[tuple]] = {}
    for a, b, _room, created, ended in rows:
        for user in (a, b):
            by_user.setdefault(user, []).append((created, ended))
    doubled = set()
    for user, spans in by_user.items():
        spans.sort(key=lambda span: span[0])
        for (_created, ended), (next_created, _next_ended) in zip(spans, spans[1:], strict=False):
            if ended is None or next_created < ended:
                doubled.add(user)
    return doubled


def audit(result: dict, plan: dict) -> tuple[dict, dict]:
    from collections import Counter

    from apps.chat.models import Message
    from apps.matching.models import Match

    students = result["students"]
    event_id = plan["event"]
    from apps.matching import queue

    stranded_tickets = {
        s.user: queue.ticket_get(event_id=event_id, user_id=s.user).get("st", "none")
        for s in students
        if s.joined and s.state in ("waiting", "idle")
    }
    fields = ("user_a_id", "user_b_id", "room_id", "created_at", "ended_at")
    rows = list(Match.objects.filter(event_id=event_id).values_list(*fields))
    matches = [(a, b, room) for a, b, room, _created, _ended in rows]
    seats = Counter(user for a, b, _room in matches for user in (a, b))
    rooms = {room for _a, _b, room in matches if room}
    stored = list(Message.objects.filter(room_id__in=rooms).values_list("room_id", "seq", "sender_id", "client_msg_id"))
    by_room: dict[int, set[int]] = {}
    ids_by_sender: dict[int, set[str]] = {}
    for room, seq, sender, client_msg_id in stored:
        by_room.setdefault(room, set()).add(seq)
        ids_by_sender.setdefault(sender, set()).add(client_msg_id)
    ids = Counter((room, sender, client_msg_id) for room, _seq, sender, client_msg_id in stored)
    losses, examples, back = message_losses(students, by_room=by_room, ids_by_sender=ids_by_sender)
    lost = sum(losses.values())
    marks, probes = result["marks"], result["probes"]
    rolling = [status for at, status in probes if marks.get("rolling_start", 0) <= at <= marks.get("rolling_end", 0)]
    reconnects = [ms for student in students for _at, ms in student.reconnects_ms]
    by_fault: dict[str, list[float]] = {}
    faults = sorted((at, name) for name, at in marks.items() if isinstance(at, float))
    for student in students:
        for at, ms in student.reconnects_ms:
            name = [fault for start_at, fault in faults if start_at <= at][-1] if faults and faults[0][0] <= at else "start"
            by_fault.setdefault(name, []).append(ms)
    stranded = [s for s in students if s.joined and s.state in ("waiting", "idle")]
    states = Counter(student.state for student in students if student.joined)
    summary = {
        "bench": "cluster",
        "students": len(students),
        "messages": len(stored),
        "lost": lost,
        "duplicated": sum(count - 1 for count in ids.values()),
        # Judged on what each page shows, in the order it shows it (a live frame overtaken by a
        # later one is held until the gap fills, as room.js does: cluster-detail's live_overtaken).
        "out_of_order": sum(shown_out_of_order(student.shown) for student in students),
        "double_matches": len(overlapping_matches(rows)),
        # Abandoned: the student believes she waits, the engine has no waiting ticket for her. One
        # waiting with a ticket but unpaired at the end had no eligible partner left (e.g. the last
        # two, excluded from each other after a failed proposal): listed in the detail, not counted.
        "stranded_waiting": sum(1 for s in stranded if stranded_tickets.get(s.user) != "waiting")
        + sum(1 for s in students if not s.joined),
        "stuck_proposals": states.get("proposed", 0),
        "reconnect_p99_ms": round(pct(reconnects, 0.99)),
        "rolling_failed_requests": sum(1 for status in rolling if not 200 <= status < 400),
        "http_5xx": sum(1 for _at, status in probes if status >= 500),
        "queue_lost_alert_s": result["alert_s"],
        # Not one of the keys: students not connected again, or whose last resume went
        # unanswered, within the bench's bounded wait at the end (their messages are not audited).
        "clients_not_back": len(students) - len(back),
    }
    start = marks["start"]
    pairings = len(matches)
    detail = {
        **result["costs"],
        "lost": dict(losses),
        "not_connected_at_end": sum(1 for student in students if not student.back_at_end),
        "resume_unanswered_at_end": sum(1 for s in students if s.back_at_end and s.room and not s.resumed_at_end),
        # What those students received last (most common first): an error, or nothing since?
        "resume_unanswered_last_frames": Counter(
            " ".join(s.last_frames) for s in students if s.back_at_end and s.room and not s.resumed_at_end
        ).most_common(5),
        "lost_examples": examples[:10],
        "stuck": [
            {"user": s.user, "joined_s": round(s.joined_at - marks["start"], 1)} for s in students if s.state == "proposed"
        ][:10],
        "matches": pairings,
        # Students matched more than once one after the other (joining again ends a match: one
        # conversation at a time per event). Only overlapping ones are double matches.
        "matched_again": sum(1 for count in seats.values() if count > 1),
        "states": dict(states),
        "reconnects": len(reconnects),
        "reconnect_p50_ms": round(pct(reconnects, 0.5)),
        "reconnect_p99_ms_after": {name: [len(values), round(pct(values, 0.99))] for name, values in by_fault.items()},
        # The slowest reconnects as [ms to hello, handshakes, ms of it backing off].
        "slowest_reconnects": [
            [round(ms), attempts, round(backoff)]
            for ms, attempts, backoff in sorted((r for s in students for r in s.reconnect_details), reverse=True)[:10]
        ],
        "waiting_at_end": [
            {"user": s.user, "joined_s": round(s.joined_at - marks["start"], 1), "redis": stranded_tickets.get(s.user)}
            for s in stranded[:20]
        ],
        "frames_received": dict(result["frames"]),
        "probes": len(probes),
        "probe_failures": sum(1 for _at, status in probes if not 200 <= status < 400),
        "rolling_requests": len(rolling),
        "alert_rule": marks.get("alert_rule"),
        "queue_restore": marks.get("queue_restore"),
        "faults_s": {name: round(at - start, 1) for name, at in marks.items() if isinstance(at, float) and name != "start"},
    }
    return summary, detail
