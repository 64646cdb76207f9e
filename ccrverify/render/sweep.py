"""Text renderings of sweeps: the table of points, the safe regions, and the
stored-results listing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from ccrverify.render.text import format_value
from ccrverify.result import HOLDS
from ccrverify.sweep.point import PointResult
from ccrverify.sweep.runner import SweepResult
from ccrverify.sweep.summary import regions_of


def verdict_cell(point: PointResult, name: str) -> str:
    if point.error:
        return "error"
    outcome = point.outcome(name)
    if outcome is None:
        return "-"
    if outcome.ticks is not None:
        return f"{outcome.verdict} ({ticks_text(outcome.ticks)})"
    if outcome.trace_length is not None:
        return f"{outcome.verdict} ({outcome.trace_length})"
    return outcome.verdict


def ticks_text(ticks: int | str) -> str:
    return "never" if ticks == "never" else f"{ticks} tick{'' if ticks == 1 else 's'}"


def response_names(result: SweepResult) -> list[str]:
    """The properties measured in ticks (response times) somewhere in the sweep."""
    return [n for n in result.property_names()
            if any((o := p.outcome(n)) is not None and o.ticks is not None
                   for p in result.points)]


def tradeoff_properties(result: SweepResult) -> tuple[list[str], list[str]]:
    """The response times, and the properties a safe setting must keep: every other
    one that holds somewhere in the grid (one violated everywhere is no setting's
    fault, and would leave nothing to compare)."""
    timed = response_names(result)
    kept = [n for n in result.property_names() if n not in timed and any(
        (o := p.outcome(n)) is not None and o.verdict == HOLDS for p in result.points)]
    return timed, kept


def tradeoff_table(result: SweepResult, fmt: str = "simple") -> str:
    """The configurations where every other property holds, fastest response first:
    what each safe setting costs in availability."""
    plan = result.plan
    timed, kept = tradeoff_properties(result)
    if not timed:
        return ""
    rows = []
    for task, point in zip(plan.tasks, result.points, strict=True):
        others = [o for o in point.properties if o.name in kept]
        if point.error or not all(o.verdict == HOLDS for o in others):
            continue
        figures = [point.outcome(n) for n in timed]
        key = tuple(float("inf") if f is None or f.ticks in (None, "never") else f.ticks
                    for f in figures)
        rows.append((key, [format_value(v) for v in plan.swept(task).values()]
                     + [ticks_text(f.ticks) if f is not None and f.ticks is not None else "-"
                        for f in figures]))
    if not rows:
        return "No configuration of the sweep keeps every other property."
    rows.sort(key=lambda r: r[0])
    return tabulate([r[1] for r in rows], headers=[a.knob for a in plan.axes] + timed,
                    tablefmt=fmt, disable_numparse=True)


def _states(point: PointResult) -> str:
    """Distinct states, or "-" for engines that count none (prove)."""
    return f"{point.distinct_states:,}" if point.distinct_states else "-"


def sweep_table(result: SweepResult, fmt: str = "simple") -> str:
    plan = result.plan
    names = result.property_names()
    headers = [a.knob for a in plan.axes] + ["states"] + names + ["seconds"]
    rows: list[list[Any]] = []
    for task, point in zip(plan.tasks, result.points, strict=True):
        row: list[Any] = [format_value(v) for v in plan.swept(task).values()]
        row.append(_states(point))
        row += [verdict_cell(point, n) for n in names]
        row.append(f"{point.seconds:.2f}")
        rows.append(row)
    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)


def render_sweep(result: SweepResult) -> str:
    plan = result.plan
    fixed = " ".join(f"{k}={format_value(v)}" for k, v in sorted(plan.fixed.items()))
    parts = [f"sweep of {plan.model} ({plan.spec_path})" + (f"  fixed: {fixed}" if fixed else ""),
             "", sweep_table(result), ""]
    parts.append("Verdicts read `verdict (length of the shortest counterexample)`.")
    parts.append("Where each property holds in this grid:")
    for name, region in regions_of(result).items():
        parts.append(f"  {name}: {region}")
    tradeoff = tradeoff_table(result)
    if tradeoff:
        parts += ["", f"Settings where {_kept(result)} hold, by response time:", tradeoff]
    errors = [p for p in result.points if p.error]
    for point in errors:
        parts.append(f"error at {dict(point.knobs)}: {point.error}")
    ran = len(result.points) - result.reused
    parts += ["", f"{len(result.points)} points: {result.reused} from the results store, "
                  f"{ran} checked on {result.executor} in {result.seconds:.1f} s"]
    return "\n".join(parts)


def results_table(rows: Sequence[dict[str, Any]]) -> str:
    """Stored points (flattened as by `flat_row`) as a terminal table."""
    if not rows:
        return "(no stored results)"
    headers = list(rows[0])
    for row in rows[1:]:
        headers += [h for h in row if h not in headers]
    body = [[format_value(r.get(h, "")) for h in headers] for r in rows]
    return tabulate(body, headers=headers, disable_numparse=True)


def _kept(result: SweepResult) -> str:
    timed, kept = tradeoff_properties(result)
    left = [n for n in result.property_names() if n not in timed and n not in kept]
    text = ", ".join(kept) or "the other properties"
    return text + (f" (not {', '.join(left)}: violated at every point)" if left else "")


def sweep_title(result: SweepResult) -> str:
    return " × ".join(f"{a.knob} {_span(a.values)}" for a in result.plan.axes)


def _span(values: Sequence[Any]) -> str:
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    if ints and len(values) > 2 and list(values) == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}..{values[-1]}"
    return ", ".join(format_value(v) for v in values)


def report_table(result: SweepResult, fmt: str) -> str:
    """The points without timings, so a regenerated report differs only when results do."""
    plan = result.plan
    names = result.property_names()
    rows = [[format_value(v) for v in plan.swept(task).values()]
            + [_states(point)] + [verdict_cell(point, n) for n in names]
            for task, point in zip(plan.tasks, result.points, strict=True)]
    return tabulate(rows, headers=[a.knob for a in plan.axes] + ["states"] + names,
                    tablefmt=fmt, disable_numparse=True)


def sweep_markdown(result: SweepResult, number: int, pictures: str) -> list[str]:
    """A report's section on one sweep; `pictures` is the folder of its SVG files."""
    from ccrverify.render.svg import heatmap_file

    fixed = ", ".join(f"{k} = {format_value(v)}" for k, v in sorted(result.plan.fixed.items()))
    out = [f"## Sweep {number}: {sweep_title(result)}", ""]
    out += [f"{len(result.points)} configurations" + (f", with {fixed}" if fixed else "")
            + ". Where each property holds in this grid:", ""]
    out += [f"- **{name}**: {region}" for name, region in regions_of(result).items()]
    out.append("")
    if pictures:
        for name in result.property_names():
            out += [f"![{name} over the sweep]({pictures}/{heatmap_file(number, name)})", ""]
    tradeoff = tradeoff_table(result, "github")
    if tradeoff:
        out += [f"Settings where {_kept(result)} hold, fastest response first (what each "
                "safe setting costs in availability):", "", tradeoff, ""]
    out += ["<details><summary>Every point</summary>", "", report_table(result, "github"), "",
            "</details>", ""]
    return out
