"""Run a cluster service under a sampling profiler (`CLUSTER_PROFILE=1 make bench-cluster`).

    python -m deploy.cluster.profiled OUT.txt PROGRAM [ARGS...]     # PROGRAM: daphne or celery

Every 5 ms a thread looks at every other thread of the process and, when the kernel says it
is running (state R in /proc/self/task/<tid>/stat), counts its Python stack: CPU time by
stack, threads included (daphne runs Django's ORM calls in a thread pool, which cProfile's
main-thread view misses). Every 10 s and at exit OUT.txt gets the top functions (self and
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


def _running(native_id: int) -> bool:
    try:
        with open(f"/proc/self/task/{native_id}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "R"
    except OSError:
        return False


class Sampler:
    def __init__(self, out: str) -> None:
        self.out = out
        self.stacks: Counter = Counter()
        self.samples = 0
        self.me = threading.get_ident()

    def sample(self) -> None:
        natives = {thread.ident: thread.native_id for thread in threading.enumerate()}
        for ident, frame in sys._current_frames().items():
            if ident == self.me or not _running(natives.get(ident, 0)):
                continue
            stack = []
            while frame is not None and len(stack) < DEPTH:
                code = frame.f_code
                stack.append(f"{os.path.basename(code.co_filename)}:{code.co_name}")
                frame = frame.f_back
            self.stacks[tuple(reversed(stack))] += 1
        self.samples += 1

    def run(self) -> None:
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
        lines = [f"samples {self.samples}, running-thread samples {total} (x {INTERVAL_S * 1000:.0f} ms)", "", "self:"]
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
