"""SVG pictures, drawn by our own code: a counterexample timeline and a
heat map of sweep verdicts.

Both are plain SVG 1.1 with inline styles and no external references, so they
can be inlined in a self-contained HTML page or saved as files next to a
Markdown report. Every text is XML-escaped. Output is deterministic.

Timeline: one lane per component, a column per step; each lane carries a
coloured band of its enumerated variable (a node's role) and a mark per step
that touches it; faults are red. Heat map: one cell per grid point, green
where the property holds, red where it is violated (with the length of the
shortest counterexample), grey where the check did not decide.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from ccrverify.render.sweep import response_names
from ccrverify.render.text import format_value
from ccrverify.report import Report
from ccrverify.result import HOLDS, VIOLATED
from ccrverify.sweep.grid import Axis
from ccrverify.sweep.point import PointResult
from ccrverify.sweep.runner import SweepResult
from ccrverify.timeline import Lane, Timeline

FONT = "font-family:Helvetica,Arial,sans-serif"
FAULT = "#c62828"
MARK = "#37474f"
CLOCK = "#90a4ae"
PALETTE = ("#a5d6a7", "#90caf9", "#ffcc80", "#ce93d8", "#80cbc4", "#f48fb1", "#fff59d")
QUIET = "#e0e0e0"  # values that mean "not running"
QUIET_VALUES = frozenset({"none", "offline", "down", "idle", "false"})
VERDICT_COLOURS: dict[str, str] = {HOLDS: "#2e7d32", VIOLATED: FAULT}
UNDECIDED = "#9e9e9e"

# timeline geometry (pixels)
LEFT, TOP, COLUMN, LANE, BAND = 96, 64, 88, 46, 26


def band_colour(lane: Lane, value: str) -> str:
    if value in QUIET_VALUES:
        return QUIET
    loud = [v for v in lane.band_values if v not in QUIET_VALUES]
    return PALETTE[loud.index(value) % len(PALETTE)] if value in loud else QUIET


def _text(x: float, y: float, text: str, size: int = 11, anchor: str = "middle",
          colour: str = "#212121", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{colour}" font-weight="{weight}" style="{FONT}">{escape(text)}</text>')


def timeline_svg(timeline: Timeline) -> str:
    steps = timeline.steps
    width = LEFT + COLUMN * (steps + 1) + 16
    lanes_bottom = TOP + LANE * len(timeline.lanes)
    below = 44 + (36 if timeline.loop is not None else 0)  # room for the loop's arrow
    legend, lines = _timeline_legend(timeline, lanes_bottom + below)
    height = lanes_bottom + below + 18 * lines
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img">',
           f"<title>{escape(timeline.title)}</title>",
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    out += _timeline_columns(timeline, lanes_bottom)
    for number, lane in enumerate(timeline.lanes):
        out.append(_lane(timeline, number, lane, width))
    for mark in timeline.marks:
        out.append(_mark(timeline, mark.step, lane_numbers=mark.lanes, label=mark.label,
                         fault=mark.fault, clock=mark.clock,
                         tip=f"{mark.step}. {mark.label}: " + ("; ".join(mark.changes)
                                                               or "no change")))
    if timeline.loop is not None:
        out += _loop_arrow(timeline.loop, steps, lanes_bottom)
    out.append(_text(_x(steps), lanes_bottom + 18, timeline.ends_in, 12, colour=FAULT,
                     weight="bold", anchor="end" if steps else "start"))
    out += legend
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _loop_arrow(loop: int, steps: int, bottom: float) -> list[str]:
    """A lasso: an arrow from the last step back to the step the run repeats from
    (a small circle when it stays in the last state)."""
    top, y = bottom + 26, bottom + 52
    if loop >= steps:
        return [f'<circle class="loop" cx="{_x(steps)}" cy="{top + 6}" r="6" fill="none" '
                f'stroke="{FAULT}" stroke-width="1.5"/>',
                _text(_x(steps) - 12, top + 10, "stays in this state for ever", 10,
                      colour=FAULT, anchor="end")]
    x1, x2 = _x(steps), _x(loop)
    return [f'<path class="loop" d="M {x1} {top} C {x1} {y}, {x2} {y}, {x2} {top}" '
            f'fill="none" stroke="{FAULT}" stroke-width="1.5" stroke-dasharray="4 2"/>',
            f'<path d="M {x2 - 4} {top + 7} L {x2} {top} L {x2 + 4} {top + 7}" '
            f'fill="none" stroke="{FAULT}" stroke-width="1.5"/>',
            _text((x1 + x2) / 2, y + 4, f"back to step {loop}, for ever", 10, colour=FAULT)]


def _x(step: int) -> float:
    return LEFT + COLUMN * step + COLUMN / 2


def _lane_y(number: int) -> float:
    return TOP + LANE * number + LANE / 2


def _timeline_columns(timeline: Timeline, bottom: float) -> list[str]:
    out = [_text(_x(0), TOP - 36, "start", 10, colour="#616161"),
           _text(_x(0), TOP - 22, "initial state", 10, colour="#616161")]
    for mark in timeline.marks:
        colour = FAULT if mark.fault else "#212121"
        head = f"{mark.step}" + (f"  t={mark.time}" if mark.clock or mark.time else "")
        out.append(_text(_x(mark.step), TOP - 36, head, 10, colour="#616161"))
        out.append(_text(_x(mark.step), TOP - 22, mark.label, 11, colour=colour,
                         weight="bold" if mark.fault else "normal"))
        x = LEFT + COLUMN * mark.step
        out.append(f'<line x1="{x}" y1="{TOP - 12}" x2="{x}" y2="{bottom}" '
                   'stroke="#eeeeee" stroke-width="1"/>')
    return out


def _lane(timeline: Timeline, number: int, lane: Lane, width: int) -> str:
    y = _lane_y(number)
    parts = [f'<g class="lane" data-lane={quoteattr(lane.name)}>',
             f'<line x1="{LEFT}" y1="{y}" x2="{width - 16}" y2="{y}" stroke="#bdbdbd" '
             'stroke-width="1"/>',
             _text(LEFT - 10, y + 4, lane.name, 13, anchor="end", weight="bold")]
    for band in (b for b in timeline.bands if b.lane == number):
        x0 = LEFT + COLUMN * band.start + 4
        w = COLUMN * (band.end - band.start + 1) - 8
        parts.append(f'<rect class="band" x="{x0}" y="{y - BAND / 2}" width="{w}" '
                     f'height="{BAND}" rx="5" fill="{band_colour(lane, band.value)}">'
                     f"<title>{escape(lane.band_variable)} = {escape(band.value)}</title></rect>")
        parts.append(_text(x0 + 5, y - BAND / 2 + 9, band.value, 8, anchor="start",
                           colour="#424242"))
    parts.append("</g>")
    return "\n".join(parts)


def _mark(timeline: Timeline, step: int, lane_numbers: Sequence[int], label: str,
          fault: bool, clock: bool, tip: str) -> str:
    colour = FAULT if fault else CLOCK if clock else MARK
    x = _x(step)
    ys = [_lane_y(n) for n in lane_numbers]
    parts = [f'<g class="mark{" fault" if fault else ""}" data-step="{step}" '
             f'data-action={quoteattr(label)}>', f"<title>{escape(tip)}</title>"]
    if len(ys) > 1:
        parts.append(f'<line x1="{x}" y1="{min(ys)}" x2="{x}" y2="{max(ys)}" '
                     f'stroke="{colour}" stroke-width="3"/>')
    for y in ys:
        if fault:  # a cross: faults stand out even in grey print
            parts.append(f'<path d="M{x - 7},{y - 7} L{x + 7},{y + 7} M{x - 7},{y + 7} '
                         f'L{x + 7},{y - 7}" stroke="{colour}" stroke-width="4"/>')
        else:
            parts.append(f'<circle cx="{x}" cy="{y}" r="{5 if clock else 7}" fill="{colour}" '
                         'stroke="#ffffff" stroke-width="1.5"/>')
    parts.append("</g>")
    return "\n".join(parts)


def _timeline_legend(timeline: Timeline, y: float) -> tuple[list[str], int]:
    """The legend's elements and its number of lines."""
    rows = []
    seen: dict[str, list[tuple[str, str]]] = {}
    for lane in timeline.lanes:
        if lane.band_variable:
            name = lane.band_variable.split("[")[0]
            colours = seen.setdefault(name, [])
            for value in lane.band_values:
                if value not in [v for v, _ in colours]:
                    colours.append((value, band_colour(lane, value)))
    line = 0
    for name, colours in seen.items():
        x = LEFT
        rows.append(_text(LEFT - 10, y + 18 * line + 4, name, 10, anchor="end"))
        for value, colour in colours:
            rows.append(f'<rect x="{x}" y="{y + 18 * line - 6}" width="14" height="12" '
                        f'rx="3" fill="{colour}"/>')
            rows.append(_text(x + 18, y + 18 * line + 4, value, 10, anchor="start"))
            x += 30 + 7 * len(value)
        line += 1
    x = LEFT
    rows.append(_text(LEFT - 10, y + 18 * line + 4, "marks", 10, anchor="end"))
    for text, colour, fault in (("action", MARK, False), ("clock", CLOCK, False),
                                ("fault", FAULT, True)):
        cy = y + 18 * line
        if fault:
            rows.append(f'<path d="M{x},{cy - 5} L{x + 10},{cy + 5} M{x},{cy + 5} '
                        f'L{x + 10},{cy - 5}" stroke="{colour}" stroke-width="3"/>')
        else:
            rows.append(f'<circle cx="{x + 5}" cy="{cy}" r="5" fill="{colour}"/>')
        rows.append(_text(x + 16, cy + 4, text, 10, anchor="start"))
        x += 30 + 7 * len(text)
    return rows, line + 1


# -- heat maps ----------------------------------------------------------------------------
CELL, HM_LEFT, HM_TOP = 40, 130, 58


def heatmap_svg(result: SweepResult, prop: str, outline: str | None = None) -> str:
    """One panel per combination of the axes after the first two. A response time
    is shown as its number of ticks; `outline` names a property whose region (the
    points where it holds) is drawn as a bold border, e.g. where no split brain
    can happen, over a map of failover times."""
    plan = result.plan
    slowest = max((o.ticks for p in result.points if (o := p.outcome(prop)) is not None
                   and isinstance(o.ticks, int)), default=0)
    axes = plan.axes
    rows_axis = axes[0]
    cols_axis = axes[1] if len(axes) > 1 else None
    extra = axes[2:]
    points = {tuple(plan.swept(t).values()): p for t, p in
              zip(plan.tasks, result.points, strict=True)}
    ncols = len(cols_axis.values) if cols_axis else 1
    panel_h = HM_TOP + CELL * len(rows_axis.values) + 24
    combos = list(itertools.product(*(a.values for a in extra)))
    width = HM_LEFT + CELL * ncols + 150
    height = panel_h * len(combos) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img">',
           f"<title>{escape(prop)} over the sweep</title>",
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for n, combo in enumerate(combos):
        top = panel_h * n
        caption = prop + "".join(f", {a.knob} = {format_value(v)}"
                                 for a, v in zip(extra, combo, strict=True))
        out.append(_text(HM_LEFT, top + 16, caption, 12, anchor="start", weight="bold"))
        if cols_axis:
            out.append(_text(HM_LEFT + CELL * ncols / 2, top + 34, cols_axis.knob, 11))
            for c, value in enumerate(cols_axis.values):
                out.append(_text(HM_LEFT + CELL * c + CELL / 2, top + HM_TOP - 6,
                                 format_value(value), 11))
        out.append(_text(HM_LEFT - 30, top + HM_TOP - 6, rows_axis.knob, 11, anchor="end"))
        for r, row_value in enumerate(rows_axis.values):
            y = top + HM_TOP + CELL * r
            out.append(_text(HM_LEFT - 8, y + CELL / 2 + 4, format_value(row_value), 11,
                             anchor="end"))
            for c in range(ncols):
                key = (row_value,) + ((cols_axis.values[c],) if cols_axis else ()) + combo
                out.append(_cell(HM_LEFT + CELL * c, y, points[key], prop, key, axes, slowest))
                held = outline and (o := points[key].outcome(outline)) and o.verdict == HOLDS
                if held:
                    out.append(f'<rect class="region" x="{HM_LEFT + CELL * c + 1}" '
                               f'y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" rx="3" '
                               'fill="none" stroke="#212121" stroke-width="3"/>')
    out += _heatmap_legend(HM_LEFT + CELL * ncols + 16, timed=slowest > 0 or any(
        (o := p.outcome(prop)) is not None and o.ticks is not None for p in result.points))
    if outline:
        y = HM_TOP + 20 * 3
        out.append(f'<rect x="{HM_LEFT + CELL * ncols + 16}" y="{y}" width="14" height="14" '
                   'rx="3" fill="none" stroke="#212121" stroke-width="3"/>')
        out.append(_text(HM_LEFT + CELL * ncols + 36, y + 11, f"{outline} holds", 11,
                         anchor="start"))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _cell(x: float, y: float, point: PointResult, prop: str, key: tuple[object, ...],
          axes: Sequence[Axis], slowest: int = 0) -> str:
    outcome = point.outcome(prop)
    verdict = "error" if point.error else outcome.verdict if outcome else "-"
    colour = VERDICT_COLOURS.get(verdict, UNDECIDED)
    where = ", ".join(f"{a.knob}={format_value(v)}" for a, v in zip(axes, key, strict=True))
    length = outcome.trace_length if outcome else None
    label = "✓" if verdict == HOLDS else str(length) if length is not None else "?"
    tip = f"{where}: {verdict}" + (f", counterexample of {length} steps" if length else "")
    ticks = outcome.ticks if outcome is not None else None
    if ticks is not None:  # a response time: the number, green when fast, amber when slow
        label = "∞" if ticks == "never" else str(ticks)
        colour = FAULT if ticks == "never" else _shade(int(ticks), slowest)
        tip = f"{where}: {'never' if ticks == 'never' else f'{ticks} ticks'}"
    return (f'<g class="cell" data-verdict="{escape(verdict)}">'
            f"<title>{escape(tip)}</title>"
            f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" rx="3" '
            f'fill="{colour}"/>'
            + _text(x + CELL / 2, y + CELL / 2 + 5, label, 13, colour="#ffffff", weight="bold")
            + "</g>")


def _shade(ticks: int, slowest: int) -> str:
    """From green (fastest) to amber (slowest)."""
    share = ticks / slowest if slowest else 0.0
    fast, slow = (0x2e, 0x7d, 0x32), (0xf9, 0xa8, 0x25)
    rgb = [round(a + (b - a) * share) for a, b in zip(fast, slow, strict=True)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _heatmap_legend(x: float, timed: bool = False) -> list[str]:
    out = []
    entries = ((("N: worst case, ticks", VERDICT_COLOURS[HOLDS]), ("∞: never", FAULT),
                ("undecided", UNDECIDED)) if timed else
               ((HOLDS, VERDICT_COLOURS[HOLDS]), ("violated (steps)", FAULT),
                ("undecided", UNDECIDED)))
    for n, (text, colour) in enumerate(entries):
        y = HM_TOP + 20 * n
        out.append(f'<rect x="{x}" y="{y}" width="14" height="14" rx="3" fill="{colour}"/>')
        out.append(_text(x + 20, y + 11, text, 11, anchor="start"))
    return out


# -- the pictures of a report ---------------------------------------------------------------
def timeline_file(prop: str) -> str:
    return f"timeline-{prop}.svg"


def heatmap_file(sweep_number: int, prop: str) -> str:
    return f"sweep{sweep_number}-{prop}.svg"


def report_pictures(report: Report) -> dict[str, str]:
    """File name -> SVG text, for every picture of a report."""
    out = {timeline_file(prop): timeline_svg(t) for prop, t in report.timelines.items()}
    for number, sweep in enumerate(report.sweeps, 1):
        timed = set(response_names(sweep))
        for prop in sweep.property_names():
            outline = region_property(sweep) if prop in timed else None
            out[heatmap_file(number, prop)] = heatmap_svg(sweep, prop, outline)
    return out


def region_property(sweep: SweepResult) -> str | None:
    """The property whose region is worth drawing over a response time: the first
    other one that holds at some points of the grid and fails at others."""
    timed = set(response_names(sweep))
    for name in sweep.property_names():
        verdicts = {o.verdict for p in sweep.points if (o := p.outcome(name)) is not None}
        if name not in timed and HOLDS in verdicts and len(verdicts) > 1:
            return name
    return None
