"""Summaries of where in a grid a property holds: a box of ranges, else one
linear constraint over two knobs (``renew_grace <= witness_lease``) with a box
on the others, else the safe values listed row by row.

A summary is only offered when it matches the grid exactly: every grid point
it admits is safe and every safe point is admitted. Points whose verdict is not
`holds` (violated, unknown, an error) count as not safe.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from ccrverify.sweep.grid import Axis

Point = tuple[Any, ...]  # one value per axis, in axis order

# Coefficient pairs tried for a*x + b*y, simplest first.
_PAIRS = ((1, -1), (1, 1), (1, -2), (2, -1), (1, 2), (2, 1), (1, -3), (3, -1))


def summarise(axes: Sequence[Axis], safe: dict[Point, bool]) -> str:
    good = {p for p, ok in safe.items() if ok}
    if not good:
        return "nowhere in the grid"
    if len(good) == len(safe):
        return "everywhere in the grid"
    box = _box(axes, good)
    if _admits(safe, good, lambda p: _in_box(box, p)):
        return " and ".join(_describe_axis(a, box[i]) for i, a in enumerate(axes)
                            if box[i] != set(a.values)) or "everywhere in the grid"
    linear = _linear(axes, safe, good)
    if linear:
        return linear
    return _listing(axes, good)


def _box(axes: Sequence[Axis], good: set[Point]) -> list[set[Any]]:
    return [{p[i] for p in good} for i in range(len(axes))]


def _in_box(box: list[set[Any]], p: Point, skip: Sequence[int] = ()) -> bool:
    return all(p[i] in values for i, values in enumerate(box) if i not in skip)


def _admits(safe: dict[Point, bool], good: set[Point], rule: Callable[[Point], bool]) -> bool:
    return all(rule(p) == (p in good) for p in safe)


def _describe_axis(axis: Axis, values: set[Any]) -> str:
    ordered = [v for v in axis.values if v in values]
    first, last = axis.values.index(ordered[0]), axis.values.index(ordered[-1])
    contiguous = last - first + 1 == len(ordered)
    if len(ordered) == 1:
        return f"{axis.knob} = {_fmt(ordered[0])}"
    if contiguous and isinstance(ordered[0], int) and not isinstance(ordered[0], bool):
        if last == len(axis.values) - 1:
            return f"{axis.knob} >= {ordered[0]}"
        if first == 0:
            return f"{axis.knob} <= {ordered[-1]}"
        return f"{ordered[0]} <= {axis.knob} <= {ordered[-1]}"
    return f"{axis.knob} in {{{', '.join(_fmt(v) for v in ordered)}}}"


def _numeric(axis: Axis) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in axis.values)


def _linear(axes: Sequence[Axis], safe: dict[Point, bool], good: set[Point]) -> str:
    box = _box(axes, good)
    for i, j in itertools.permutations(range(len(axes)), 2):
        if not (_numeric(axes[i]) and _numeric(axes[j])):
            continue
        for a, b in _PAIRS:
            for sense in ("<=", ">="):
                text = _fit(axes, safe, good, box, (i, j, a, b), sense)
                if text:
                    return text
    return ""


def _fit(axes: Sequence[Axis], safe: dict[Point, bool], good: set[Point],
         box: list[set[Any]], form: tuple[int, int, int, int], sense: str) -> str:
    """`a*x_i + b*x_j (sense) bound` with the tightest bound, if it matches exactly."""
    i, j, a, b = form
    values = {p: int(a * p[i] + b * p[j]) for p in safe}
    bound = max(values[p] for p in good) if sense == "<=" else min(values[p] for p in good)
    for p, value in values.items():
        inside = value <= bound if sense == "<=" else value >= bound
        if (inside and _in_box(box, p, skip=(i, j))) != (p in good):
            return ""
    others = [_describe_axis(axes[k], box[k]) for k in range(len(axes))
              if k not in (i, j) and box[k] != set(axes[k].values)]
    return " and ".join([_inequality(axes[i].knob, a, axes[j].knob, b, sense, bound), *others])


def _inequality(x: str, a: int, y: str, b: int, sense: str, bound: int) -> str:
    """a*x + b*y (sense) bound, with negative terms moved to the right."""
    left = _term(a, x)
    if b > 0:
        left += f" + {_term(b, y)}"
        right = str(bound)
    else:
        right = _term(-b, y) + (f" + {bound}" if bound > 0 else f" - {-bound}" if bound else "")
    return f"{left} {sense} {right}"


def _term(coefficient: int, name: str) -> str:
    return name if coefficient == 1 else f"{coefficient}·{name}"


def _listing(axes: Sequence[Axis], good: set[Point]) -> str:
    """Per value of the other axes, the safe values of the first one."""
    if len(axes) == 1:
        return _describe_axis(axes[0], {p[0] for p in good})
    rows = []
    for rest in itertools.product(*(a.values for a in axes[1:])):
        values = {p[0] for p in good if p[1:] == rest}
        where = ", ".join(f"{a.knob} = {_fmt(v)}" for a, v in zip(axes[1:], rest, strict=True))
        what = _describe_axis(axes[0], values) if values else f"no {axes[0].knob}"
        rows.append(f"{what} when {where}")
    return "; ".join(rows)


def _fmt(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
