"""Speed and scale of the numpy backend: wide states, checkpoints, the memory
budget and symmetry reduction (issue 14; worker processes: benchmarks/workers.py).

    python benchmarks/scale.py              # everything below but the large runs
    python benchmarks/scale.py --only wide  # one group: wide, checkpoint, memory,
                                            # symmetry
    python benchmarks/scale.py --large      # also TwoPhase rm=9 and rm=10 (minutes, GBs)

Each run is a fresh process (`ccrverify check --json`), timed from outside
(wall clock, including start-up and code generation) and measured by its own
peak RSS. Runs that must agree are checked to agree (states, transitions,
depth, verdicts, trace lengths); a disagreement stops the script.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
TWOPHASE = "specs/examples/twophase.py"
WIDE_CCR = ["messages=5", "dumpster_size=3"]


# The safety properties (the temporal ones need the whole graph in memory: liveness.py)
SAFETY = {TWOPHASE: ("TCConsistent",), "ccr": ("NoSplitBrain", "NoLostAckedMail")}


def run(spec: str, *sets: str, options: tuple[str, ...] = ()) -> dict[str, Any]:
    args = [sys.executable, "-m", "ccrverify.cli", "check", spec, "--json", *options]
    for prop in SAFETY.get(spec, ()):
        args += ["--property", prop]
    for item in sets:
        args += ["--set", item]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1, 3):
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.strip()}")
    data = json.loads(proc.stdout)
    data["wall"] = wall
    data["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return data


def answer(data: dict[str, Any]) -> Any:
    s = data["stats"]
    return (s["distinct_states"], s["transitions"], s["depth"],
            [(p["name"], p["verdict"], p["trace_length"]) for p in data["properties"]])


def row(label: str, options: str, data: dict[str, Any], note: str = "") -> list[Any]:
    s = data["stats"]
    return [label, options, f"{s['distinct_states']:,}", f"{s['transitions']:,}",
            f"{data['wall']:.2f}", f"{data['cpu']:.2f}",
            f"{s['distinct_states'] / data['wall']:,.0f}",
            f"{s['transitions'] / data['wall']:,.0f}",
            f"{s['peak_memory_bytes'] / 2**20:.0f}",
            f"{s['peak_memory_bytes'] / max(1, s['distinct_states']):.0f}", note]


def same(a: dict[str, Any], b: dict[str, Any], what: str) -> None:
    if answer(a) != answer(b):
        raise SystemExit(f"{what}: the answers differ:\n{answer(a)}\n{answer(b)}")


def wide(rows: list[list[Any]], large: bool) -> None:
    numpy = run("ccr", *WIDE_CCR, options=("--engine", "numpy"))
    rows.append(row("CCR messages=5 dumpster_size=3", "numpy", numpy))
    # the python backend's rate, as issue 14 measured it (a full run takes minutes)
    limited = run("ccr", *WIDE_CCR, options=("--engine", "python", "--max-states", "3000000"))
    rows.append(row("CCR messages=5 dumpster_size=3", "python --max-states 3000000", limited,
                    "incomplete"))
    if large:
        python = run("ccr", *WIDE_CCR, options=("--engine", "python"))
        same(numpy, python, "wide CCR numpy vs python")
        rows.append(row("CCR messages=5 dumpster_size=3", "python", python))


def checkpoint(rows: list[list[Any]], large: bool) -> None:
    plain = run(TWOPHASE, "rm=8", options=("--engine", "numpy"))
    with tempfile.TemporaryDirectory() as where:
        saved = run(TWOPHASE, "rm=8", options=("--engine", "numpy", "--checkpoint",
                                                f"{where}/ck"))
        same(plain, saved, "checkpoint")
        resumed = run(TWOPHASE, "rm=8", options=("--engine", "numpy", "--resume",
                                                  f"{where}/ck"))
        same(plain, resumed, "resume")
    rows.append(row("TwoPhase rm=8", "numpy", plain))
    rows.append(row("TwoPhase rm=8", "numpy --checkpoint DIR", saved,
                    f"{saved['wall'] / plain['wall']:.2f}x wall"))
    rows.append(row("TwoPhase rm=8", "numpy --resume DIR (finished)", resumed))


def memory(rows: list[list[Any]], large: bool) -> None:
    for rm, budget in [(8, "64MiB"), (8, "256MiB")] + ([(10, "1GiB")] if large else []):
        plain = run(TWOPHASE, f"rm={rm}", options=("--engine", "numpy"))
        rows.append(row(f"TwoPhase rm={rm}", "numpy", plain))
        disk = run(TWOPHASE, f"rm={rm}", options=("--engine", "numpy", "--memory", budget))
        same(plain, disk, f"rm={rm} --memory {budget}")
        rows.append(row(f"TwoPhase rm={rm}", f"numpy --memory {budget}", disk,
                        f"{disk['wall'] / plain['wall']:.2f}x wall"))


def symmetry(rows: list[list[Any]], large: bool) -> None:
    for rm in (5, 6, 7, 8):
        plain = run(TWOPHASE, f"rm={rm}", options=("--engine", "numpy"))
        reduced = run(TWOPHASE, f"rm={rm}", "symmetric=true", options=("--engine", "numpy"))
        if [(p["name"], p["verdict"], p["trace_length"]) for p in plain["properties"]] != [
                (p["name"], p["verdict"], p["trace_length"]) for p in reduced["properties"]]:
            raise SystemExit(f"rm={rm}: symmetry changed a verdict or a trace length")
        if plain["stats"]["depth"] != reduced["stats"]["depth"]:
            raise SystemExit(f"rm={rm}: symmetry changed the depth")
        rows.append(row(f"TwoPhase rm={rm}", "numpy", plain))
        rows.append(row(f"TwoPhase rm={rm}", "numpy symmetric=true", reduced,
                        f"{plain['wall'] / reduced['wall']:.1f}x faster"))


GROUPS = {"wide": wide, "checkpoint": checkpoint, "memory": memory,
          "symmetry": symmetry}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(GROUPS), action="append")
    parser.add_argument("--large", action="store_true", help="also the runs of minutes and GBs")
    args = parser.parse_args()
    rows: list[list[Any]] = []
    for name in args.only or GROUPS:
        GROUPS[name](rows, args.large)
    print(tabulate(rows, headers=["model", "options", "distinct", "transitions", "wall s",
                                  "cpu s", "states/s", "trans/s", "peak MiB", "B/state",
                                  "note"], disable_numparse=True))
    print("\n(wall: the whole process, start-up included; states/s and trans/s per wall "
          "second; B/state: peak RSS / distinct states)")


if __name__ == "__main__":
    main()
