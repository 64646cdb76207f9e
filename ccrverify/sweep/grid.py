"""Grids of knob values: ``--grid KNOB=LO..HI[:STEP]`` or ``--grid KNOB=V1,V2``.

A grid is the product of its axes, in the order given, the last axis varying
fastest; that order is also the order of the table rows.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.errors import UsageError
from ccrverify.lang.spec import Knob

_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*(?::\s*(\d+))?\s*$")


@dataclass(frozen=True)
class Axis:
    knob: str
    values: tuple[Any, ...]


def parse_axis(text: str, knobs: Mapping[str, Knob]) -> Axis:
    """One ``--grid`` argument, each value checked against the knob's range."""
    if "=" not in text:
        raise UsageError(f"--grid {text!r}: expected KNOB=LO..HI[:STEP] or KNOB=V1,V2")
    name, spec = (part.strip() for part in text.split("=", 1))
    if name not in knobs:
        raise UsageError(f"--grid {text!r}: unknown knob {name!r}",
                         hint="known: " + ", ".join(sorted(knobs)))
    knob = knobs[name]
    found = _RANGE.match(spec)
    if found and not knob.is_bool:
        lo, hi, step = int(found.group(1)), int(found.group(2)), int(found.group(3) or 1)
        if step < 1 or hi < lo:
            raise UsageError(f"--grid {text!r}: need LO <= HI and a positive STEP")
        values: list[Any] = list(range(lo, hi + 1, step))
    else:
        values = [knob.parse(v) for v in spec.split(",") if v.strip()]
    if not values:
        raise UsageError(f"--grid {text!r}: no values")
    for value in values:
        knob.check(value)
    return Axis(name, tuple(dict.fromkeys(values)))


def grid_points(axes: Sequence[Axis]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, as knob -> value."""
    names = [a.knob for a in axes]
    if len(set(names)) != len(names):
        raise UsageError("a knob appears in two --grid arguments")
    return [dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(a.values for a in axes))]
