"""``ccrverify explore``: the Hypothesis explorer on the command line.

Hypothesis is imported inside the command, never when the parser is built,
so ``ccrverify check`` does not load it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from ccrverify.cli import add_target_args, progress_printer, selected_properties, target_of

DATABASE_DIR = ".ccrverify"  # under the working directory, like .hypothesis


def register(sub: Any) -> None:
    p = sub.add_parser("explore", help="random, reproducible exploration with shrinking "
                                       "(Hypothesis); finds violations, never proves")
    add_target_args(p)
    p.add_argument("--property", action="append", metavar="NAME", help="explore only these")
    p.add_argument("--max-examples", type=int, default=1000, metavar="N",
                   help="random runs per search (default 1000)")
    p.add_argument("--steps", type=int, default=100, metavar="K",
                   help="most steps in one run (default 100)")
    p.add_argument("--seed", type=int, metavar="N",
                   help="seed for a reproducible run (which neither replays nor saves "
                        "examples, like Hypothesis's own @seed)")
    p.add_argument("--time-limit", type=float, metavar="S",
                   help="stop after S seconds, shrinking included")
    p.add_argument("--no-swarm", action="store_true",
                   help="let every run use every action (no swarm testing)")
    p.add_argument("--no-db", action="store_true",
                   help=f"neither replay nor save failing examples in {DATABASE_DIR}/")
    p.add_argument("--no-deadlock", action="store_true", help="do not report deadlocks")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--trace-format", choices=["table", "json", "markdown"], default="table")
    p.add_argument("--full", action="store_true", help="show whole states in traces")
    p.set_defaults(run=cmd_explore)


def cmd_explore(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        if args.no_db:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ccrverify-")))
        else:
            home = Path(DATABASE_DIR) / "hypothesis-home"
        stack.enter_context(_hypothesis_home(home))
        return _explore(args)


@contextmanager
def _hypothesis_home(home: Path) -> Iterator[None]:
    """Hypothesis keeps caches (constants it found in local source) in its home
    directory, ./.hypothesis unless told otherwise: keep them under .ccrverify/
    with the examples, or nowhere with --no-db. Hypothesis reads the variable
    at its first write, so this must be in place before it runs; a user's own
    setting wins."""
    if "HYPOTHESIS_STORAGE_DIRECTORY" in os.environ:
        yield
        return
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(home)
    try:
        yield
    finally:
        del os.environ["HYPOTHESIS_STORAGE_DIRECTORY"]


def _explore(args: argparse.Namespace) -> int:
    from ccrverify.compile import compile_model
    from ccrverify.explore.options import ExploreOptions
    from ccrverify.explore.report import coverage_text
    from ccrverify.explore.search import explore
    from ccrverify.render.text import render_result

    target = target_of(args)
    model = target.build()
    props = selected_properties(model, args.property)
    show = _progress() if progress_printer() is not None else None
    options = ExploreOptions(
        max_examples=args.max_examples, steps=args.steps, seed=args.seed,
        time_limit=args.time_limit, swarm=not args.no_swarm,
        database=None if args.no_db else Path(DATABASE_DIR),
        check_deadlock=not args.no_deadlock, progress=show)
    options.validate()
    result = explore(compile_model(model), props, options)
    if show:
        sys.stderr.write("\r" + " " * 78 + "\r")
    # This module is CLI code (like cli.py), the one place that prints.
    if args.json:
        print(json.dumps(result.to_json(), indent=2, sort_keys=False))  # noqa: T201
    elif args.trace_format == "json":
        print(json.dumps([p.to_json() for p in result.properties], indent=2))  # noqa: T201
    else:
        print(render_result(result, str(target.loaded.path), model.clock,  # noqa: T201
                            args.trace_format, args.full))
        print()  # noqa: T201
        print(coverage_text(result.extra["coverage"]))  # noqa: T201
    return result.exit_status()


def _progress() -> Any:
    def show(p: Any) -> None:
        sys.stderr.write(f"\r  runs {p.runs:,}  steps {p.steps:,}  states {p.distinct_states:,}"
                         f"  found {p.found}  {p.rate:,.0f} steps/s   ")
        sys.stderr.flush()

    return show


