"""Stored results as flat rows, for the ``results`` listing and CSV export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ccrverify.sweep.store import StoredPoint


def varying_knobs(points: Sequence[StoredPoint]) -> list[str]:
    """Knobs whose value is not the same in every point (the interesting columns)."""
    seen: dict[str, set[str]] = {}
    for point in points:
        for name, value in json.loads(point.key.knobs).items():
            seen.setdefault(name, set()).add(json.dumps(value))
    return [n for n, values in seen.items() if len(values) > 1]


def flat_rows(points: Sequence[StoredPoint], knobs: Sequence[str] | None = None,
              compact: bool = False) -> list[dict[str, Any]]:
    """One dict per point: identity, chosen knobs (default all), states, verdicts, time.
    Compact rows put a counterexample's length beside its verdict, for reading."""
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


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
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
