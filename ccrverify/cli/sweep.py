"""``sweep``, ``results`` and ``graph``: many points of a model, stored results,
and the state graph.

Engines, the store and networkx load only when a command runs."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ccrverify import api, engines
from ccrverify.cli.common import (
    EXIT_INCOMPLETE,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    add_engine_args,
    add_target_args,
    request_of,
    target_of,
)
from ccrverify.errors import UsageError
from ccrverify.outputs import exit_status, writable, write_text

GRAPH_LIMIT = 20_000  # states; a bigger graph is no use to read and slow to lay out


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sweep", help="check every point of a grid of knob values",
        description="Check every point of a grid of knob values with any engine, in "
        "parallel, storing each finished point at once (a rerun checks only new points), "
        "and say where each property holds.")
    add_target_args(p)
    p.add_argument("--grid", action="append", required=True, metavar="KNOB=LO..HI[:STEP]",
                   help="an axis of the grid (or KNOB=V1,V2,...); repeat for more axes")
    add_engine_args(p, "explicit")
    p.add_argument("--jobs", type=int, metavar="N", help="local worker processes (default: CPUs)")
    p.add_argument("--executor", metavar="URL",
                   help="local (default) or dask://HOST:PORT for a Dask distributed cluster")
    p.add_argument("--store", metavar="PATH", help="results store (default "
                   ".ccrverify/results.sqlite in the working directory)")
    p.add_argument("--no-store", action="store_true", help="neither read nor write the store")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", metavar="FILE", help="also write the result (.json, .csv or text)")
    p.set_defaults(run=cmd_sweep)

    p = sub.add_parser("results", help="list or export the stored sweep results")
    p.add_argument("--store", metavar="PATH", help="results store to read")
    p.add_argument("--model", metavar="NAME", help="only this model")
    p.add_argument("--source-hash", metavar="HASH", help="only this version of the spec")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(run=cmd_results)

    p = sub.add_parser("graph", help=f"export the state graph (models up to {GRAPH_LIMIT:,} "
                       "states unless --limit)")
    add_target_args(p)
    p.add_argument("--property", action="append", metavar="NAME", help="mark only these")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.graphml or FILE.dot")
    p.add_argument("--limit", type=int, default=GRAPH_LIMIT, metavar="N",
                   help=f"refuse models with more than N states (default {GRAPH_LIMIT:,})")
    p.set_defaults(run=cmd_graph)


def store_path(args: argparse.Namespace) -> Path:
    from ccrverify.sweep.store import DEFAULT_STORE

    return Path(args.store) if args.store else DEFAULT_STORE


# -- sweep ------------------------------------------------------------------------------
def cmd_sweep(args: argparse.Namespace) -> int:
    from ccrverify.render.csv import sweep_rows, to_csv
    from ccrverify.render.sweep import render_sweep
    from ccrverify.sweep.executors import make_executor
    from ccrverify.sweep.grid import parse_axis
    from ccrverify.sweep.point import INTERNAL
    from ccrverify.sweep.runner import plan_sweep, run_sweep
    from ccrverify.sweep.store import open_store
    from ccrverify.sweep.summary import sweep_json

    engine = engines.engine(args.engine)  # loads it now: an unavailable engine is one line
    request = replace(request_of(args), database=None, progress=None)
    if request.checkpoint is not None:
        raise UsageError("--checkpoint and --resume save one search, not a sweep",
                         hint="check the point alone: ccrverify check ... --checkpoint DIR")
    target = target_of(args)
    out = writable(args.out, "--out", not_same_as=[store_path(args)]) if args.out else None
    loaded = target.loaded
    axes = [parse_axis(text, loaded.spec.knobs) for text in args.grid]
    request = replace(request, properties=api.select(target.build(), request.properties))
    plan = plan_sweep(loaded, target.knobs, axes, engine.name, request)
    executor = make_executor(args.executor, args.jobs)
    store = None if args.no_store else open_store(store_path(args))
    try:
        result = run_sweep(plan, executor, store, _progress_printer())
    finally:
        if store is not None:
            store.close()
    data = sweep_json(result)
    text = json.dumps(data, indent=2) if args.json else render_sweep(result)
    sys.stdout.write(text + "\n")
    for note in result.notes:
        sys.stderr.write(f"ccrverify: note: {note}\n")
    error = ""
    if out is not None:
        if out.suffix == ".json":
            error = write_text(out, json.dumps(data, indent=2) + "\n")
        elif out.suffix == ".csv":
            error = write_text(out, to_csv(sweep_rows(result)))
        else:
            error = write_text(out, render_sweep(result) + "\n")
        if error:
            sys.stderr.write(f"ccrverify: error: {error}\n")
    if any(p.error.startswith(INTERNAL) for p in result.points):
        return EXIT_INTERNAL
    if any(p.error for p in result.points):
        return EXIT_USAGE
    if not all(p.complete for p in result.points):
        return exit_status(EXIT_INCOMPLETE, [error])
    return exit_status(EXIT_OK, [error])


def _progress_printer() -> Any:
    if not sys.stderr.isatty():
        return None

    def show(p: Any) -> None:
        eta = p.eta_seconds
        left = p.total - p.done
        when = f"about {eta:.0f} s left" if eta is not None and left else ""
        sys.stderr.write(f"\r  points done {p.done}/{p.total} ({p.reused} stored), "
                         f"{left} left  {when}      ")
        if not left:
            sys.stderr.write("\r" + " " * 78 + "\r")
        sys.stderr.flush()

    return show


# -- results ----------------------------------------------------------------------------
def cmd_results(args: argparse.Namespace) -> int:
    from ccrverify.render.csv import stored_rows, to_csv, varying_knobs
    from ccrverify.render.sweep import results_table
    from ccrverify.sweep.store import open_store

    path = store_path(args)
    if not path.is_file():
        raise UsageError(f"no results store at {path}", hint="run ccrverify sweep first, "
                         "or name the store with --store")
    out = writable(args.out, "--out", not_same_as=[path]) if args.out else None
    with open_store(path) as store:
        points = list(store.points(args.model, args.source_hash))
        skipped = store.skipped
    if args.format == "json":
        text = json.dumps([p.to_json() for p in points], indent=2)
    elif args.format == "csv":
        text = to_csv(stored_rows(points))
    else:
        text = results_table(stored_rows(points, varying_knobs(points), compact=True))
        text += f"\n{len(points)} stored points in {path}"
    if skipped:
        sys.stderr.write(f"ccrverify: note: {skipped} damaged row(s) of {path} skipped\n")
    if out is None:
        sys.stdout.write(text.rstrip("\n") + "\n")
        return EXIT_OK
    error = write_text(out, text if text.endswith("\n") else text + "\n")
    if error:
        sys.stderr.write(f"ccrverify: error: {error}\n")
    return exit_status(EXIT_OK, [error])


# -- graph ------------------------------------------------------------------------------
def cmd_graph(args: argparse.Namespace) -> int:
    from ccrverify.compile import compile_model
    from ccrverify.graph import FORMATS, state_graph, write_graph

    out = writable(args.out, "--out", FORMATS)
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    model = target_of(args).build()
    props = api.select(model, args.property)
    started = time.perf_counter()
    graph = state_graph(compile_model(model), props, args.limit)
    try:
        write_graph(graph, out)
    except OSError as err:
        raise UsageError(f"cannot write {out}: {err.strerror or err}") from None
    bad = sum(1 for _, d in graph.nodes(data=True) if d["violating"])
    sys.stdout.write(f"wrote {out}: {graph.number_of_nodes():,} states, "
                     f"{graph.number_of_edges():,} transitions, {bad:,} violating states, "
                     f"{time.perf_counter() - started:.2f} s\n")
    return EXIT_OK
