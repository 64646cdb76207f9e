"""Worker processes (`--workers N`, ccrverify/explicit/owners.py): the speed-up on
this machine's cores, and what the same runs predict for more cores.

    python benchmarks/workers.py                 # TwoPhase rm=8
    python benchmarks/workers.py --set rm=9      # another size

Measured: the search's own seconds (the engine's `stats.seconds`, best of
three, each run in a fresh process) with 1 and 2 workers, and the whole
command's wall clock. The search runs in one process until a level reaches
32,768 states; the coordinator's CPU seconds include those levels.

Predicted: every run with N workers also records each
worker process's CPU seconds and the coordinating process's; on a machine
with N free cores the run would take about the coordinator's seconds plus
the busiest worker's (the workers wait only for each other, once a batch).
On this machine's two cores that prediction is checked against the measured
time for N = 2; for N > 2 the workers share the two cores, so only their CPU
seconds mean anything (memory bandwidth shared by more cores is not
modelled: the prediction is an upper bound on the speed-up).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
SPEC = "specs/examples/twophase.py"
RUNS = 3

# Run in a fresh process: one search, the worker processes' CPU seconds appended
# to a file by each of them as it stops.
PROBE = """
import json, sys, time
from ccrverify import api
from ccrverify.compile import compile_model
from ccrverify.explicit import owners, search
from ccrverify.request import Request

spec, workers, log, *sets = sys.argv[1:]
stop = owners.Owner.stop

def timed_stop(self):
    with open(log, "a") as out:
        out.write(f"{time.process_time()}\\n")
    return stop(self)

owners.Owner.stop = timed_stop
model = compile_model(api.target(spec, sets=sets).build())
request = Request(workers=int(workers), properties=("TCConsistent",))
before = time.process_time()
result = search.check(model, request)
print(json.dumps({"seconds": result.stats.seconds, "cpu": time.process_time() - before,
                  "states": result.stats.distinct_states}))
"""


def engine_run(sets: list[str], workers: int) -> tuple[float, float, int]:
    """(engine seconds, wall seconds, states) of one `ccrverify check --json`."""
    args = [sys.executable, "-m", "ccrverify.cli", "check", SPEC, "--json", "--engine",
            "numpy", "--property", "TCConsistent", "--workers", str(workers)]
    for item in sets:
        args += ["--set", item]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    stats = json.loads(done.stdout)["stats"]
    return stats["seconds"], wall, stats["distinct_states"]


def probe(sets: list[str], workers: int) -> tuple[float, float, list[float]]:
    """(engine seconds, coordinator CPU seconds, each worker's CPU seconds)."""
    with tempfile.TemporaryDirectory() as where:
        log = os.path.join(where, "cpu")
        done = subprocess.run([sys.executable, "-c", PROBE, SPEC, str(workers), log, *sets],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            raise SystemExit(done.stderr.strip())
        data = json.loads(done.stdout)
        # (none when no level was large enough for the worker processes to take over)
        owners = [float(line) for line in Path(log).read_text().split()] \
            if os.path.exists(log) else []
    return data["seconds"], data["cpu"], owners


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=None, metavar="KNOB=VALUE")
    args = parser.parse_args()
    sets = args.set or ["rm=8"]
    measured = []
    for workers in (1, 2):
        runs = [engine_run(sets, workers) for _ in range(RUNS)]
        measured.append((workers, min(r[0] for r in runs), min(r[1] for r in runs),
                         runs[0][2]))
    if measured[0][3] != measured[1][3]:
        raise SystemExit("the state counts differ between 1 and 2 workers")
    one = measured[0][1]
    rows = [[w, f"{states:,}", f"{seconds:.3f}", f"{wall:.2f}", f"{one / seconds:.2f}x",
             f"{measured[0][2] / wall:.2f}x"] for w, seconds, wall, states in measured]
    print(f"TwoPhase {' '.join(sets)}, measured (best of {RUNS}, fresh processes):")
    print(tabulate(rows, headers=["workers", "states", "search s", "command s",
                                  "search speed-up", "command speed-up"]))
    predicted = []
    for workers in (2, 4, 8, 16):
        seconds, coordinator, owners = min((probe(sets, workers) for _ in range(RUNS)),
                                           key=lambda r: r[1] + max(r[2]))
        busiest = max(owners, default=0.0)
        predicted.append([workers, f"{coordinator:.3f}", f"{busiest:.3f}",
                          f"{sum(owners):.2f}", f"{coordinator + busiest:.3f}",
                          f"{one / (coordinator + busiest):.1f}x",
                          f"{seconds:.3f}" if workers <= os.cpu_count() else "(shared cores)"])
    print(f"\nPredicted for N free cores (coordinator CPU s + busiest worker's CPU s; "
          f"one worker: {one:.3f} s):")
    print(tabulate(predicted, headers=["workers", "coordinator cpu", "busiest worker cpu",
                                       "all workers cpu", "predicted s", "speed-up",
                                       "measured s here"]))


if __name__ == "__main__":
    main()
