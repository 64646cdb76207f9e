"""Writing a report to disk, and running the sweeps a report asks for.

A ``.html`` report is one self-contained file. A ``.md`` report is the page
plus its SVG pictures in a folder of the same name beside it
(``reports/x.md`` and ``reports/x/*.svg``), because code hosts show linked
SVG files but strip inline SVG from Markdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ccrverify.errors import UsageError
from ccrverify.loader import LoadedSpec
from ccrverify.report import Report
from ccrverify.request import Request
from ccrverify.sweep.runner import SweepResult

SUFFIXES = (".md", ".html")


def report_sweeps(loaded: LoadedSpec, knobs: Mapping[str, Any], grids: Sequence[str],
                  properties: Sequence[str] | None, store: str | None, use_store: bool,
                  jobs: int | None) -> tuple[SweepResult, ...]:
    """One sweep per ``--sweep "KNOB=LO..HI KNOB=LO..HI"``, around the reported knobs,
    through the results store so that regenerating a report rechecks nothing."""
    from ccrverify.sweep.executors import make_executor
    from ccrverify.sweep.grid import parse_axis
    from ccrverify.sweep.runner import plan_sweep, run_sweep
    from ccrverify.sweep.store import DEFAULT_STORE, open_store

    executor = make_executor(None, jobs)
    results = []
    for grid in grids:
        axes = [parse_axis(text, loaded.spec.knobs) for text in grid.split()]
        if not axes:
            raise UsageError("--sweep needs at least one KNOB=LO..HI")
        plan = plan_sweep(loaded, knobs, axes, "explicit",
                          Request(None if properties is None else tuple(properties)))
        if not use_store:
            results.append(run_sweep(plan, executor))
        else:
            with open_store(Path(store) if store else DEFAULT_STORE) as db:
                results.append(run_sweep(plan, executor, db))
    return tuple(results)


def write_report(report: Report, out: Path) -> list[Path]:
    """Write the page (and, for Markdown, its pictures); the files written."""
    from ccrverify.render.svg import report_pictures

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".html":
        from ccrverify.render.html import render_html

        out.write_text(render_html(report))
        return [out]
    from ccrverify.render.markdown import render_markdown

    folder = out.with_suffix("")
    pictures = report_pictures(report)
    written = [out]
    if folder.is_dir():  # pictures of an earlier version of this report
        for old in [*folder.glob("timeline-*.svg"), *folder.glob("sweep*-*.svg")]:
            old.unlink()
    if pictures:
        folder.mkdir(exist_ok=True)
        for name, svg in sorted(pictures.items()):
            (folder / name).write_text(svg)
            written.append(folder / name)
    out.write_text(render_markdown(report, folder.name if pictures else ""))
    return written
