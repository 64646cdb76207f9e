"""``report``: one check (and optional sweeps around it) as a Markdown or HTML page."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from ccrverify import api
from ccrverify.cli.common import (
    add_engine_args,
    add_target_args,
    clear_progress,
    display,
    progress_printer,
    request_of,
    target_of,
)
from ccrverify.errors import UsageError
from ccrverify.loader import load_config
from ccrverify.outputs import writable


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="write a report of one check (Markdown or HTML)",
                       description="Check a model and write the result as a self-contained "
                       "HTML page or a Markdown page with SVG pictures (a timeline per "
                       "counterexample, a heat map per sweep). Exits with the check's status.")
    add_target_args(p)
    p.add_argument("--out", required=True, help="the report file (.md or .html)")
    add_engine_args(p, "explicit")
    p.add_argument("--sweep", action="append", metavar="'KNOB=LO..HI ...'",
                   help="add a sweep around this configuration (a heat map per property)")
    p.add_argument("--store", metavar="PATH", help="results store for --sweep (default "
                   ".ccrverify/results.sqlite)")
    p.add_argument("--no-store", action="store_true", help="--sweep without the store")
    p.add_argument("--jobs", type=int, metavar="N", help="processes for --sweep")
    p.set_defaults(run=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from ccrverify.publish import SUFFIXES, report_sweeps, write_report
    from ccrverify.render.text import verdict_table
    from ccrverify.report import build_report

    progress = progress_printer()
    request = request_of(args, progress)
    out = writable(args.out, "--out", SUFFIXES, create_parents=True)
    target = target_of(args)
    result = api.run(target, args.engine, request)
    clear_progress(progress)
    model = target.build()
    props = list(request.properties) if request.properties else None
    spec = target.loaded.spec
    config = load_config(target.config_path) if target.config_path else None
    sweeps = report_sweeps(target.loaded, target.knobs, args.sweep or [], props,
                           args.store, not args.no_store, args.jobs)
    report = build_report(
        model, result, {k.name: (k.default, k.doc) for k in spec.knobs.values()},
        display(target.source), target.config_path,
        config.description if config else "", "ccrverify " + shlex.join(args.argv), sweeps)
    try:
        written = write_report(report, out)
    except OSError as err:
        raise UsageError(f"cannot write {out}: {err.strerror or err}") from None
    for path in written:
        sys.stdout.write(f"wrote {path}\n")
    sys.stdout.write(verdict_table(result) + "\n")
    return result.exit_status()
