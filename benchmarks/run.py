"""Speed and memory of the explicit engine beside BENCHMARKS.md's reference numbers.

    python benchmarks/run.py            # TwoPhase rm = 3..8 and CCR configurations
    python benchmarks/run.py --quick    # skip rm = 8

Each run is a fresh process (`ccrverify check --json`), so the peak memory is
that run's own. Bytes per state = (peak RSS - the RSS of an empty run) /
distinct states.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
# BENCHMARKS.md: distinct states and TLC's time with one worker (rm = 8 only).
TWOPHASE_REFERENCE = {3: 288, 4: 1568, 5: 8832, 6: 50816, 7: None, 8: 1745408}
TLC_RM8_SECONDS = 36.0  # on a busy 2-core machine; about 31 s run alone


# The safety properties: BENCHMARKS.md's numbers are invariant checks (the temporal
# properties have their own benchmark, liveness.py).
SAFETY = {"examples/twophase": ("TCConsistent",), "ccr": ("NoSplitBrain", "NoLostAckedMail")}


def run(spec: str, *sets: str, backend: str = "auto") -> dict:
    args = [sys.executable, "-m", "ccrverify.cli", "check", spec, "--json", "--backend", backend]
    for prop in SAFETY.get(spec, ()):
        args += ["--property", prop]
    for item in sets:
        args += ["--set", item]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def baseline_rss(backend: str) -> int:
    return int(run("examples/diehard", backend=backend)["stats"]["peak_memory_bytes"])


def row(name: str, data: dict, base: int, reference: int | None, note: str = "") -> list:
    s = data["stats"]
    per_state = max(0, s["peak_memory_bytes"] - base) / max(1, s["distinct_states"])
    return [name, data.get("backend", "-"), f"{s['distinct_states']:,}",
            f"{reference:,}" if reference else "-",
            f"{s['transitions']:,}", f"{s['seconds']:.2f}", f"{s['states_per_second']:,.0f}",
            f"{s['transitions'] / max(s['seconds'], 1e-9):,.0f}",
            f"{s['peak_memory_bytes'] / 2**20:.0f}", f"{per_state:.0f}", note]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip TwoPhase rm = 8")
    args = parser.parse_args()
    rows = []
    for backend in ("numpy", "python"):
        base = baseline_rss(backend)
        for rm in range(3, 8 if args.quick else 9):
            data = run("examples/twophase", f"rm={rm}", backend=backend)
            note = ""
            if rm == 8:
                speedup = TLC_RM8_SECONDS / data["stats"]["seconds"]
                note = f"TLC ~{TLC_RM8_SECONDS:.0f} s: {speedup:.1f}x faster"
            rows.append(row(f"TwoPhase rm={rm}", data, base, TWOPHASE_REFERENCE[rm], note))
        for label, sets, reference in [("CCR default", [], 28335),
                                       ("CCR renew_grace=3", ["renew_grace=3"], 37354),
                                       ("CCR messages=3", ["messages=3"], None)]:
            rows.append(row(label, run("ccr", *sets, backend=backend), base, reference))
    print(tabulate(rows, headers=["model", "backend", "distinct", "reference", "transitions",
                                  "seconds",
                                  "states/s", "transitions/s", "peak MiB", "bytes/state",
                                  "note"],
                   disable_numparse=True))
    print("\n(bytes/state: peak RSS minus an empty run's, per distinct state; seconds include "
          "code generation)")


if __name__ == "__main__":
    main()
