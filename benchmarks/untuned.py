"""Speed on models nobody tuned for (issue 14 item 2): many initial states and a
high out-degree, beside TwoPhase.

    python benchmarks/untuned.py                 # numpy and python on every model
    python benchmarks/untuned.py --no-python     # numpy only
    python benchmarks/untuned.py --root DIR      # run another checkout's ccrverify

Each run is a fresh process (`ccrverify check --json`); seconds are the
search's own (start-up and code generation left out), so transitions per second
compare the engines' per-transition speed. Peak memory is the process's peak
RSS. Both backends must agree on states, transitions, depth and verdicts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
MODELS = "benchmarks/models"

# (label, spec, knob settings, options)
RUNS = [
    ("TwoPhase rm=8", "specs/examples/twophase.py", ["rm=8"], ["--property", "TCConsistent"]),
    ("AntiEntropy nodes=8 versions=3", f"{MODELS}/antientropy.py", [], []),
    ("Rumor nodes=9 patience=3", f"{MODELS}/rumor.py", [], []),
]


def run(root: Path, spec: str, sets: list[str], options: list[str], engine: str
        ) -> dict[str, Any]:
    args = [sys.executable, "-m", "ccrverify.cli", "check", str(ROOT / spec), "--json",
            "--engine", engine, *options]
    for item in sets:
        args += ["--set", item]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=root)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.strip()}")
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def answer(data: dict[str, Any]) -> Any:
    s = data["stats"]
    return (s["distinct_states"], s["transitions"], s["depth"],
            [(p["name"], p["verdict"], p["trace_length"]) for p in data["properties"]])


def row(label: str, engine: str, data: dict[str, Any]) -> list[str]:
    s = data["stats"]
    seconds = max(s["seconds"], 1e-9)
    return [label, engine, f"{s['distinct_states']:,}", f"{s['transitions']:,}",
            f"{seconds:.2f}", f"{s['distinct_states'] / seconds:,.0f}",
            f"{s['transitions'] / seconds:,.0f}",
            f"{s['peak_memory_bytes'] / max(1, s['distinct_states']):.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-python", action="store_true", help="numpy backend only")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout whose ccrverify runs (the models are this one's)")
    args = parser.parse_args()
    rows = []
    for label, spec, sets, options in RUNS:
        numpy = run(args.root, spec, sets, options, "numpy")
        rows.append(row(label, "numpy", numpy))
        if not args.no_python:
            plain = run(args.root, spec, sets, options, "python")
            if answer(plain) != answer(numpy):
                raise SystemExit(f"{label}: the backends differ:\n{answer(numpy)}\n"
                                 f"{answer(plain)}")
            rows.append(row(label, "python", plain))
    print(tabulate(rows, headers=["model", "backend", "states", "transitions", "seconds",
                                  "states/s", "transitions/s", "bytes/state"],
                   disable_numparse=True))
    print("\n(seconds: the search's own; bytes/state: peak RSS / distinct states)")


if __name__ == "__main__":
    main()
