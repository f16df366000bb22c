"""Run a cluster service under a sampling profiler (`CLUSTER_PROFILE=1 make bench-cluster`).

    python -m deploy.cluster.profiled OUT.txt PROGRAM [ARGS...]     # PROGRAM: daphne or celery

Every 5 ms a thread reads every other thread's CPU ticks (/proc/self/task/<tid>/stat) and
charges the ticks spent since the last look to the stack the thread is in now: CPU time by
Python stack, threads included (daphne runs Django's ORM calls in a thread pool, which
cProfile's main-thread view misses). Ticks are 10 ms, so a stack's share is statistical.
Every 10 s and at exit OUT.txt gets the top functions (self and
inclusive) and the top stacks, so a host killed with -9 leaves what it had.
"""

import atexit
import os
import sys
import threading
import time
from collections import Counter

INTERVAL_S = 0.005
WRITE_EVERY_S = 10.0
DEPTH = 40


def _cpu_ticks(native_id: int) -> int:
    try:
        with open(f"/proc/self/task/{native_id}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


class Sampler:
    def __init__(self, out: str) -> None:
        self.out = out
        self.stacks: Counter = Counter()
        self.samples = 0
        self.me = 0
        self.ticks: dict[int, int] = {}

    def sample(self) -> None:
        natives = {thread.ident: thread.native_id for thread in threading.enumerate()}
        for ident, frame in sys._current_frames().items():
            native = natives.get(ident)
            if ident == self.me or native is None:
                continue
            ticks = _cpu_ticks(native)
            spent, self.ticks[native] = ticks - self.ticks.get(native, ticks), ticks
            if spent <= 0:
                continue
            stack = []
            while frame is not None and len(stack) < DEPTH:
                code = frame.f_code
                stack.append(f"{os.path.basename(code.co_filename)}:{code.co_name}")
                frame = frame.f_back
            self.stacks[tuple(reversed(stack))] += spent
        self.samples += 1

    def run(self) -> None:
        self.me = threading.get_ident()
        written = time.monotonic()
        while True:
            time.sleep(INTERVAL_S)
            self.sample()
            if time.monotonic() - written > WRITE_EVERY_S:
                self.write()
                written = time.monotonic()

    def write(self) -> None:
        own, inclusive = Counter(), Counter()
        for stack, count in self.stacks.items():
            own[stack[-1]] += count
            for name in set(stack):
                inclusive[name] += count
        total = sum(self.stacks.values()) or 1
        lines = [f"samples {self.samples}, CPU ticks charged {total}", "", "self:"]
        lines += [f"{count * 100 / total:6.1f}% {name}" for name, count in own.most_common(40)]
        lines += ["", "inclusive:"]
        lines += [f"{count * 100 / total:6.1f}% {name}" for name, count in inclusive.most_common(80)]
        lines += ["", "stacks:"]
        lines += [f"{count * 100 / total:6.1f}% " + " > ".join(stack[-14:]) for stack, count in self.stacks.most_common(25)]
        with open(self.out, "w") as handle:
            handle.write("\n".join(lines) + "\n")


def main() -> None:
    out, program, *args = sys.argv[1:]
    sampler = Sampler(out)
    threading.Thread(target=sampler.run, daemon=True, name="sampler").start()
    atexit.register(sampler.write)
    sys.argv = [program, *args]
    if program == "daphne":
        from daphne.cli import CommandLineInterface

        CommandLineInterface.entrypoint()
    else:
        from celery.__main__ import main as celery_main

        celery_main()


if __name__ == "__main__":
    main()
