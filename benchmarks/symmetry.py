"""Symmetry reduction against an independent orbit count (issue 14, item 6).

    python benchmarks/symmetry.py          # TwoPhase rm=5..8, TCommit rm=4..12
    python benchmarks/symmetry.py --quick  # sizes up to 6

Per model and size: the full search and the reduced one (one state per orbit
of the RM index), both with the model's safety properties and the goal
invariants of tests/rm_goals.py, which fail; the orbits of the full run's
reachable states counted without symmetry.py (tests/orbit_count.py: per-RM
tuples sorted; at rm <= 6 also every permutation). The reduced count must
equal the orbit count, and the verdicts, shortest counterexample lengths and
depth the full run's; a disagreement stops the script. Seconds are the
searches' own (in this process, code generation included), not start-up.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from orbit_count import by_permutations, by_sorting  # noqa: E402
from rm_goals import rm_model, safety  # noqa: E402

from ccrverify.explicit import search, vector  # noqa: E402

SIZES = {"examples/twophase.py": [5, 6, 7, 8], "examples/tcommit.py": [4, 6, 8, 10, 12]}
BRUTE_FORCE_UP_TO = 6  # every permutation: rm! passes over the states


def timed(fn: Any, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - started


def answers(result: Any) -> list[tuple[str, str, int | None]]:
    return [(p.name, p.verdict.kind.value, p.trace_length) for p in result.properties]


def measure(spec: str, rm: int) -> list[Any]:
    plain, reduced = rm_model(spec, rm), rm_model(spec, rm, symmetric=True)
    full, full_s = timed(search.check, plain, safety(plain))
    mine, mine_s = timed(search.check, reduced, safety(reduced))
    states = vector.reachable(plain)
    assert states is not None
    names = [s.name for s in plain.model.slots]
    values = [f"r{i}" for i in range(1, rm + 1)]
    orbits, count_s = timed(by_sorting, states.states, names, values)
    brute = by_permutations(states.states, names, values) if rm <= BRUTE_FORCE_UP_TO else None
    label = f"{plain.model.name} rm={rm}"
    if mine.stats.distinct_states != orbits or brute not in (None, orbits):
        raise SystemExit(f"{label}: reduced {mine.stats.distinct_states:,} states, "
                         f"orbits {orbits:,} by sorting, {brute} by every permutation")
    if answers(mine) != answers(full) or mine.stats.depth != full.stats.depth:
        raise SystemExit(f"{label}: reduced answers {answers(mine)} depth {mine.stats.depth}"
                         f" != full {answers(full)} depth {full.stats.depth}")
    lengths = " ".join(f"{n}:{length}" for n, kind, length in answers(full)
                       if kind == "violated")
    return [label, f"{full.stats.distinct_states:,}", f"{mine.stats.distinct_states:,}",
            f"{orbits:,}", "-" if brute is None else f"{brute:,}", f"{full_s:.2f}",
            f"{mine_s:.2f}", f"{full_s / mine_s:.1f}x", f"{count_s:.2f}",
            full.stats.depth, "equal", lengths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes up to 6 only")
    args = parser.parse_args()
    rows = [measure(spec, rm) for spec, sizes in SIZES.items() for rm in sizes
            if not args.quick or rm <= 6]
    print(tabulate(rows, headers=[
        "model", "states", "reduced", "orbits (sorting)", "orbits (permutations)",
        "full s", "reduced s", "speed-up", "orbit count s", "depth", "verdicts, lengths",
        "shortest counterexamples"], disable_numparse=True))
    print("\n(states: the full search; reduced: one state per orbit; the orbit counts come "
          "from the full run's\nreachable states, without symmetry.py (orbit count s: the "
          "sorting count alone, after the enumeration);\nverdicts and lengths of every safety "
          "property and goal, equal both ways)")


if __name__ == "__main__":
    main()
