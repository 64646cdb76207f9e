"""Synthesis beside checking every point of the box one by one.

    python benchmarks/synthesis.py                  # renew_grace x witness_lease, 1..6 and 1..10
    python benchmarks/synthesis.py --pdr-limit 300  # also Spacer point by point, 300 s at most each
    python benchmarks/synthesis.py --box 6          # only the 6x6 box

Per box: `synthesize` (one run, in this process), the explicit engine on every
point, and optionally Spacer (`prove --method pdr`) on every point. A point
that hits the Spacer limit counts with the limit, so that total is a lower
bound (marked ">="). Every method's verdicts are compared point by point.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccrverify.compile import compile_model  # noqa: E402
from ccrverify.explicit.engine import check as explicit_check  # noqa: E402
from ccrverify.loader import load  # noqa: E402
from ccrverify.symbolic import spacer  # noqa: E402
from ccrverify.symbolic.common import Limits  # noqa: E402
from ccrverify.symbolic.synthesis import box_points, synthesize  # noqa: E402

PROPERTY = "NoSplitBrain"
KNOBS = ("renew_grace", "witness_lease")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--box", type=int, action="append", help="side of the square box")
    parser.add_argument("--pdr-limit", type=float, help="seconds of Spacer per point")
    args = parser.parse_args()
    loaded = load(str(ROOT / "specs" / "ccr.py"))
    rows = []
    for side in args.box or [6, 10]:
        box = {k: (1, side) for k in KNOBS}

        def concretize(values: dict) -> object:
            return compile_model(loaded.build(dict(values)))

        started = time.perf_counter()
        result = synthesize(compile_model(loaded.build({}, symbolic=box)), PROPERTY, concretize)
        seconds = time.perf_counter() - started
        safe = sum(v == "holds" for v in result.verdicts.values())
        calls = ", ".join(f"{k} {v}" for k, v in result.calls.items() if v)
        rows.append([f"{side}x{side}", len(result.verdicts), "synthesize", f"{seconds:.1f}",
                     f"{safe} safe, {len(result.regions)} region proofs; {calls}"])
        truth = {}
        started = time.perf_counter()
        for point in box_points(box):
            verdict = explicit_check(concretize(dict(point)), [PROPERTY]).property(PROPERTY)
            truth[point] = verdict.verdict.kind
        seconds = time.perf_counter() - started
        agree = all(truth[p] == v for p, v in result.verdicts.items())
        rows.append([f"{side}x{side}", len(truth), "explicit, point by point", f"{seconds:.1f}",
                     "synthesis agrees on every point" if agree else "DISAGREES with synthesis"])
        if args.pdr_limit:
            rows.append(_pdr_per_point(box, concretize, truth, args.pdr_limit, side))
        print(tabulate([rows[-1]], tablefmt="plain"), flush=True)
    print(f"# python benchmarks/synthesis.py on a 2-core machine, {time.strftime('%Y-%m-%d')}: "
          f"{PROPERTY} over {' x '.join(KNOBS)}\n")
    print(tabulate(rows, headers=["box", "points", "method", "seconds", "notes"],
                   disable_numparse=True))


def _pdr_per_point(box: dict, concretize: object, truth: dict, limit: float,
                   side: int) -> list:
    total, capped, wrong = 0.0, 0, 0
    for point in box_points(box):
        started = time.perf_counter()
        result, _ = spacer.check(concretize(dict(point)), [PROPERTY],  # type: ignore[operator]
                                 Limits(seconds=limit))
        total += time.perf_counter() - started
        kind = result.property(PROPERTY).verdict.kind
        capped += kind == "unknown"
        wrong += kind != "unknown" and kind != truth[point]
        print(f"  pdr {dict(point)}: {kind} after {total:.0f} s in all", flush=True)
    note = f"{capped} points hit the {limit:.0f} s limit" if capped else "every point decided"
    if wrong:
        note += f"; {wrong} DISAGREE with the explicit engine"
    return [f"{side}x{side}", len(truth), "Spacer (pdr), point by point",
            f"{'>= ' if capped else ''}{total:.0f}", note]


if __name__ == "__main__":
    main()
