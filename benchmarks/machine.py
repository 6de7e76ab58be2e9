"""How fast this machine is at the moment of a run: the same pure-Python loop on one core, then on every
core at once. The machine is shared: on one evening the loop took 47 ms, a quarter of an hour later 85 ms,
and every figure of a run moves with it. Printed at the start and the end of a run, so that two runs' figures are read
with their machines beside them."""
from __future__ import annotations

import os
import subprocess
import sys
import timeit

LOOP = "sum(i * i for i in range(1_000_000))"


def loop_ms(repeat: int = 5) -> float:
    """The best of `repeat` runs of the loop, in ms."""
    return min(timeit.repeat(LOOP, number=1, repeat=repeat)) * 1000


def probe() -> dict[str, float]:
    """The loop alone, then one copy per core at the same time (the slowest copy)."""
    alone = loop_ms()
    cores = os.cpu_count() or 1
    command = [sys.executable, "-c", "from benchmarks.machine import loop_ms; print(loop_ms())"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    processes = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) for _ in range(cores)]
    together = [float(process.communicate(timeout=120)[0]) for process in processes]
    return {"one core (ms)": round(alone, 1), "every core at once (ms)": round(max(together), 1), "cores": cores}
