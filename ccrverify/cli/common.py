"""What every command shares: naming the model, choosing an engine and its
limits, progress lines, and exit statuses. Turns arguments into
`ccrverify.api` calls; the library never sees argparse."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ccrverify import api, engines
from ccrverify.errors import UsageError
from ccrverify.request import Request

EXIT_OK, EXIT_VIOLATED, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 4


def add_target_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", nargs="?", help="spec file, bundled model name, or a .toml config")
    p.add_argument("--config", help="TOML configuration naming the model and its knobs")
    p.add_argument("--set", action="append", metavar="KNOB=VALUE", help="set a knob")


def target_of(args: argparse.Namespace) -> api.Target:
    return api.target(args.spec, args.config, args.set or [])


def add_engine_args(p: argparse.ArgumentParser, default: str) -> None:
    """--engine and the limits every engine understands (each reads what it needs)."""
    choices = engines.names() + list(engines.ALIASES)
    p.add_argument("--engine", choices=choices, default=default, metavar="NAME",
                   help=f"the engine (default {default}): " + ", ".join(engines.names())
                   + "; ccrverify list-engines says what each does")
    p.add_argument("--property", action="append", metavar="NAME", help="decide only these")
    p.add_argument("--no-deadlock", action="store_true", help="do not report deadlocks")
    g = p.add_argument_group("limits (each engine reads the ones it understands)")
    g.add_argument("--max-states", type=int, metavar="N",
                   help="explicit: stop after N distinct states")
    g.add_argument("--fail-fast", action="store_true",
                   help="explicit: stop at the first violation")
    g.add_argument("--counterexamples", type=int, default=1, metavar="N",
                   help="explicit, bmc: up to N shortest counterexamples per violated "
                        "property, each ending in a different state (default 1)")
    g.add_argument("--workers", type=int, default=1, metavar="N",
                   help="explicit: worker processes, each owning a share of the states "
                        "(default 1; threads under --memory, --checkpoint or with temporal "
                        "properties); the counts and counterexamples do not depend on it")
    g.add_argument("--checkpoint", metavar="DIR",
                   help="explicit: save the search in DIR at every level, to --resume it "
                        "after a crash or a kill (the safety search; temporal properties "
                        "are decided on a state graph built in memory)")
    g.add_argument("--resume", metavar="DIR",
                   help="explicit: continue the search saved in DIR (same model, knobs and "
                        "properties); it goes on saving there")
    g.add_argument("--memory", metavar="SIZE",
                   help="explicit: keep the visited states and the levels on disk, using "
                        "about SIZE of memory (e.g. 1GiB, 512MiB); slower, but as large as "
                        "the disk (the safety search; temporal properties need their state "
                        "graph in memory)")
    g.add_argument("--no-symmetry", action="store_true",
                   help="explicit: every state, not one per orbit of the indexes the model "
                        "declares symmetric")
    g.add_argument("--depth", type=int, default=20, metavar="K",
                   help="bmc: the bound (default 20)")
    g.add_argument("--max-k", type=int, default=12, metavar="K",
                   help="kind: the largest k tried (default 12)")
    g.add_argument("--timeout", "--time-limit", dest="time_limit", type=float,
                   metavar="SECONDS", help="time limit (explore: overall; Z3: per property)")
    g.add_argument("--max-examples", type=int, default=1000, metavar="N",
                   help="explore: random runs per search (default 1000)")
    g.add_argument("--steps", type=int, default=100, metavar="K",
                   help="explore: most steps in one run (default 100)")
    g.add_argument("--seed", type=int, metavar="N",
                   help="explore: seed for a reproducible run (which neither replays nor "
                        "saves examples, like Hypothesis's own @seed)")
    g.add_argument("--no-swarm", action="store_true",
                   help="explore: let every run use every action (no swarm testing)")
    g.add_argument("--no-db", action="store_true",
                   help="explore: neither replay nor save failing examples in .ccrverify/")


def request_of(args: argparse.Namespace, progress: Callable[[Any], None] | None = None
               ) -> Request:
    """The request the arguments describe, validated (one line for a bad limit)."""
    if args.checkpoint and args.resume:
        raise UsageError("give --checkpoint DIR or --resume DIR, not both",
                         hint="--resume goes on saving in its directory")
    directory = args.resume or args.checkpoint
    return Request(
        properties=tuple(args.property) if args.property else None,
        check_deadlock=not args.no_deadlock, max_states=args.max_states,
        fail_fast=args.fail_fast, counterexamples=getattr(args, "counterexamples", 1),
        workers=args.workers,
        checkpoint=Path(directory) if directory else None, resume=bool(args.resume),
        memory=None if args.memory is None else parse_size(args.memory, "--memory"),
        symmetry=not args.no_symmetry, time_limit=args.time_limit, depth=args.depth,
        max_k=args.max_k, max_examples=args.max_examples, steps=args.steps, seed=args.seed,
        swarm=not args.no_swarm,
        database=None if args.no_db else Path(".ccrverify"),
        progress=progress).validate()


_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 10**3, "kib": 2**10, "m": 2**20, "mb": 10**6,
          "mib": 2**20, "g": 2**30, "gb": 10**9, "gib": 2**30, "t": 2**40, "tb": 10**12,
          "tib": 2**40}


def parse_size(text: str, option: str) -> int:
    """``1GiB``, ``512MiB``, ``2G``, ``1.5GB`` or a number of bytes."""
    import re

    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([A-Za-z]*)\s*", text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise UsageError(f"{option} {text!r}: expected a size such as 1GiB, 512MiB or 2G")
    return int(float(match.group(1)) * _UNITS[unit])


def progress_printer() -> Callable[[Any], None] | None:
    """A progress line on a terminal (None elsewhere): states for enumeration,
    runs and steps for exploration."""
    if not sys.stderr.isatty():
        return None

    def show(p: Any) -> None:
        if hasattr(p, "runs"):
            text = (f"runs {p.runs:,}  steps {p.steps:,}  states {p.distinct_states:,}  "
                    f"found {p.found}  {p.rate:,.0f} steps/s")
        else:
            text = (f"states {p.states:,}  queue {p.queue:,}  depth {p.depth}  "
                    f"{p.rate:,.0f} states/s")
        sys.stderr.write(f"\r  {text}   ")
        sys.stderr.flush()

    return show


def clear_progress(progress: Callable[[Any], None] | None) -> None:
    if progress is not None:
        sys.stderr.write("\r" + " " * 78 + "\r")


def display(path: str) -> str:
    import os

    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def error_line(message: str) -> None:
    sys.stderr.write(f"ccrverify: error: {message}\n")
