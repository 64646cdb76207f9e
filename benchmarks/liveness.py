"""What a liveness check costs beside the safety check of the same model.

    python benchmarks/liveness.py          # TwoPhase rm = 7 and CCR messages=3, max_faults=3

Each run is a fresh process (`ccrverify check --json`), so the peak memory is that
run's own; the time is the engine's (`stats.seconds`, without the process start).
BENCHMARKS.md's yardstick: TLC's run with a leads-to property costs 2.6x to 3.1x
its run without (and 2.4 GB at its largest size).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    ("TwoPhase rm=7", "examples/twophase", ["rm=7"], "TCConsistent",
     ["AllDecide", "DecisionsStay"]),
    ("CCR messages=3 max_faults=3", "ccr", ["messages=3", "max_faults=3"], "NoSplitBrain",
     ["Recovers", "FailoverTimeCaughtUp"]),
]
RUNS = 3  # the best of three, each alone


def run(spec: str, sets: list[str], prop: str) -> dict:
    args = [sys.executable, "-m", "ccrverify.cli", "check", spec, "--json", "--property", prop]
    for item in sets:
        args += ["--set", item]
    best = None
    for _ in range(RUNS):
        done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
        data = json.loads(done.stdout)
        if best is None or data["stats"]["seconds"] < best["stats"]["seconds"]:
            best = data
    assert best is not None
    return best


def main() -> None:
    rows = []
    for name, spec, sets, safety, temporal in CASES:
        base = run(spec, sets, safety)
        b = base["stats"]
        rows.append([name, safety, base["properties"][0]["verdict"], f"{b['distinct_states']:,}",
                     f"{b['seconds']:.2f}", f"{b['peak_memory_bytes'] / 2**20:.0f}", "1.0", "1.0"])
        for prop in temporal:
            data = run(spec, sets, prop)
            s = data["stats"]
            verdict = data["properties"][0]["verdict"]
            ticks = data["properties"][0].get("ticks")
            rows.append([name, prop, verdict + (f" ({ticks} ticks)" if ticks is not None else ""),
                         f"{s['distinct_states']:,}", f"{s['seconds']:.2f}",
                         f"{s['peak_memory_bytes'] / 2**20:.0f}",
                         f"{s['seconds'] / b['seconds']:.1f}",
                         f"{s['peak_memory_bytes'] / b['peak_memory_bytes']:.1f}"])
    print(tabulate(rows, headers=["model", "property", "verdict", "states", "seconds",
                                  "peak MiB", "time vs safety", "memory vs safety"],
                   disable_numparse=True))
    print("\nTLC (BENCHMARKS.md): a leads-to property costs 2.6x to 3.1x the run without it.")


if __name__ == "__main__":
    main()
