"""What a finished sweep says: the safe region of each property, and the JSON
form of the whole sweep (``--json``)."""

from __future__ import annotations

from typing import Any

from ccrverify.result import HOLDS
from ccrverify.sweep.regions import summarise
from ccrverify.sweep.runner import SweepResult

ALL = "all properties"


def regions_of(result: SweepResult) -> dict[str, str]:
    """Property -> where it holds in the grid; ALL -> where every property holds."""
    plan = result.plan
    coords = [tuple(plan.swept(t).values()) for t in plan.tasks]
    out = {}
    for name in result.property_names():
        safe = {}
        for coord, point in zip(coords, result.points, strict=True):
            outcome = point.outcome(name)
            safe[coord] = outcome is not None and outcome.verdict == HOLDS
        out[name] = summarise(plan.axes, safe)
    if len(out) > 1:
        every = {c: p.all_hold for c, p in zip(coords, result.points, strict=True)}
        out[ALL] = summarise(plan.axes, every)
    return out


def sweep_json(result: SweepResult) -> dict[str, Any]:
    plan = result.plan
    points = []
    for task, point in zip(plan.tasks, result.points, strict=True):
        entry = point.to_json()
        entry["knobs"] = plan.swept(task)
        points.append(entry)
    return {
        "model": plan.model,
        "spec": plan.spec_path,
        "source_hash": plan.source_hash,
        "grid": {a.knob: list(a.values) for a in plan.axes},
        "fixed": dict(sorted(plan.fixed.items())),
        "points": points,
        "regions": regions_of(result),
        "reused": result.reused,  # points answered by the results store
    }
