"""Sweep results as CSV: one writer for a fresh sweep (``sweep --out x.csv``) and
for the stored points (``results --format csv``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ccrverify.sweep.runner import SweepResult
from ccrverify.sweep.store import StoredPoint


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """Rows of dicts as CSV; the columns in order of first appearance."""
    headers: list[str] = []
    for row in rows:
        headers += [h for h in row if h not in headers]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({h: _csv_value(row.get(h, "")) for h in headers})
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else value


def sweep_rows(result: SweepResult) -> list[dict[str, Any]]:
    """One row per point: the swept knobs, states, each verdict and trace length, seconds."""
    names = result.property_names()
    rows = []
    for task, point in zip(result.plan.tasks, result.points, strict=True):
        row: dict[str, Any] = dict(result.plan.swept(task))
        row["distinct_states"] = point.distinct_states
        for name in names:
            outcome = point.outcome(name)
            row[name] = "error" if point.error else "" if outcome is None else outcome.verdict
            row[f"{name}_trace"] = ("" if outcome is None or outcome.trace_length is None
                                    else outcome.trace_length)
        row["seconds"] = round(point.seconds, 4)
        rows.append(row)
    return rows


def varying_knobs(points: Sequence[StoredPoint]) -> list[str]:
    """Knobs whose value is not the same in every point (the interesting columns)."""
    seen: dict[str, set[str]] = {}
    for point in points:
        for name, value in json.loads(point.key.knobs).items():
            seen.setdefault(name, set()).add(json.dumps(value))
    return [n for n, values in seen.items() if len(values) > 1]


def stored_rows(points: Sequence[StoredPoint], knobs: Sequence[str] | None = None,
                compact: bool = False) -> list[dict[str, Any]]:
    """One dict per stored point: identity, chosen knobs (default all), states,
    verdicts, time. Compact rows put a counterexample's length beside its verdict."""
    rows = []
    for point in points:
        values = json.loads(point.key.knobs)
        options = json.loads(point.key.options)
        row: dict[str, Any] = {"model": point.model, "source_hash": point.key.source_hash,
                               "engine": options.get("engine", "")}
        props = options.get("properties")
        row["properties"] = "all" if props is None else " ".join(props)
        for name in knobs if knobs is not None else sorted(values):
            row[name] = values.get(name, "")
        row["distinct_states"] = point.result.distinct_states
        for outcome in point.result.properties:
            length = outcome.trace_length
            if compact:
                row[outcome.name] = outcome.verdict + ("" if length is None else f" ({length})")
            else:
                row[outcome.name] = outcome.verdict
                row[f"{outcome.name}_trace"] = "" if length is None else length
        row["seconds"] = round(point.result.seconds, 4)
        rows.append(row)
    return rows
