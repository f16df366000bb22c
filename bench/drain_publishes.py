"""Drain tasks published per join: how many `drain_arrivals` tasks a stream of joins asks for.

Each join runs the engine's join script (`queue.enqueue`, as `ticket_enqueue` does) and, when
it answers 'drain', publishes a drain task; one worker process takes the tasks in order and
runs the real `services.arrivals_drain` (pairing and announcing through the channel layer).
The broker is a multiprocessing queue: the count of tasks, not a broker's speed, is measured.
Joins come at a fixed rate (--rate, joins/s; 0 = as fast as one process can) so the old and
the new drain are compared under the same stream; women seeking men and men seeking women
alternate, so most arrivals pair. Needs DATABASE_URL (migrated) and REDIS_URL; it flushes
that Redis database.
LAST line: {"bench":"drain-publishes","joins":..,"publishes":..,"publishes_per_join":..,"drains_run":..}
"""

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.local")
os.environ.setdefault("DEBUG", "false")
EVENT_ID = 1


def django_setup() -> None:
    import django

    django.setup()


def worker(tasks: multiprocessing.Queue, done: multiprocessing.Queue) -> None:
    """One worker process running each published drain task in order, as a solo Celery worker does."""
    django_setup()
    from apps.matching import services

    runs = made = 0
    while (event_id := tasks.get()) is not None:
        made += services.arrivals_drain(event_id=event_id)
        runs += 1
    done.put((runs, made))


def ticket(user_id: int, rng: random.Random):
    from apps.matching import queue

    woman = user_id % 2 == 0
    return queue.TicketSnapshot(
        event_id=EVENT_ID,
        user_id=user_id,
        gender="F" if woman else "M",
        seeking="M" if woman else "F",
        university_id=rng.randint(1, 40),
        interest_ids=tuple(rng.sample(range(1, 31), 5)),
        card_json=json.dumps({"user_id": user_id}),
        excluded_user_ids=frozenset(),
        allow_same_university=False,
        accept_timeout_s=20,
        max_wait_s=300,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=0.0, help="joins per second; 0 = unpaced")
    args = parser.parse_args()
    django_setup()
    from apps.matching import queue

    queue.get_redis().flushdb()
    queue.state_install(epoch=1)
    rng = random.Random(7)
    snapshots = [ticket(user_id, rng) for user_id in range(1, args.tickets + 1)]
    tasks, done = multiprocessing.Queue(), multiprocessing.Queue()
    process = multiprocessing.get_context("fork").Process(target=worker, args=(tasks, done))
    process.start()
    time.sleep(2.0)  # the worker is up before the first join
    publishes = 0
    started = time.monotonic()
    for index, snapshot in enumerate(snapshots):
        if args.rate:
            time.sleep(max(0.0, started + index / args.rate - time.monotonic()))
        if queue.enqueue(snapshot)[1] == "drain":
            publishes += 1
            tasks.put(EVENT_ID)
    tasks.put(None)
    runs, made = done.get(timeout=600)
    process.join()
    left = queue.get_redis().llen(f"mq:{EVENT_ID}:arrivals")
    print(
        json.dumps(
            {
                "bench": "drain-publishes",
                "joins": args.tickets,
                "rate": args.rate,
                "publishes": publishes,
                "publishes_per_join": round(publishes / args.tickets, 3),
                "drains_run": runs,
                "proposals": made,
                "arrivals_left": left,
                "load": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
