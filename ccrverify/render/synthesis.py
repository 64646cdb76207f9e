
"""A synthesis (``ccrverify synthesize``) as text: the box as a grid of verdicts,
the constraint that fits the safe points, the proofs and counterexamples."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from ccrverify.result import HOLDS, UNKNOWN, VIOLATED

if TYPE_CHECKING:
    from ccrverify.symbolic.synthesis import Synthesis


def render_synthesis(s: Synthesis) -> str:
    mark = {HOLDS: HOLDS, VIOLATED: "VIOLATED", UNKNOWN: "?"}
    names = sorted(s.box)
    lines = [f"{s.property} over " + ", ".join(f"{k} in {lo}..{hi}"
                                               for k, (lo, hi) in sorted(s.box.items()))]
    if len(names) == 2:
        x, y = names
        xs = range(s.box[x][0], s.box[x][1] + 1)
        ys = range(s.box[y][0], s.box[y][1] + 1)
        rows = [[f"{x}={a}"] + [mark[s.verdicts[((x, a), (y, b))]] for b in ys] for a in xs]
        lines.append(tabulate(rows, headers=[""] + [f"{y}={b}" for b in ys],
                              disable_numparse=True))
    else:
        rows = [[str(v) for _, v in p] + [mark[verdict]]
                for p, verdict in sorted(s.verdicts.items())]
        lines.append(tabulate(rows, headers=names + ["verdict"], disable_numparse=True))
    safe = sum(v == HOLDS for v in s.verdicts.values())
    lines += ["", f"holds at {safe} of {len(s.verdicts)} points"
                  + (f": exactly where {s.constraint}" if s.constraint else
                     " (no short constraint fits)")]
    for n, r in enumerate(s.regions, 1):
        lines.append(f"proof {n}: one inductive invariant ({r.lemmas} lemmas; {r.method}; "
                     f"certificate checked) covers {len(r.points)} point"
                     + ("" if len(r.points) == 1 else "s"))
    shapes: dict[tuple[str, ...], list[Any]] = {}
    for c in s.counterexamples:
        shapes.setdefault(c.labels, []).append(c.point)
    for labels, points in shapes.items():
        at = "; ".join(" ".join(f"{k}={v}" for k, v in p) for p in sorted(points))
        lines.append(f"counterexample ({len(labels)} actions: {' '.join(labels)}) at {at}")
    calls = ", ".join(f"{n} {c} in {s.timings.get(n, 0):.1f} s" for n, c in s.calls.items())
    lines.append(f"{s.seconds:.2f} s; calls: {calls}")
    return "\n".join(lines)
