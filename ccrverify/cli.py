"""The ``ccrverify`` command line.

Exit status: 0 every property holds, 1 a property is violated, 2 bad input or
usage, 3 incomplete (a budget was hit or a verdict is not a proof), 4 internal
error. User errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from tabulate import tabulate

from ccrverify import __version__, console
from ccrverify.errors import CcrError, UsageError
from ccrverify.loader import LoadedSpec, load, load_config, resolve_knobs, spec_for_config
from ccrverify.model import Model
from ccrverify.outputs import writable

EXIT_OK, EXIT_VIOLATED, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 4


# Modules that add subcommands: each has register(subparsers) and imports its
# engine lazily, so `ccrverify check` never loads z3 or hypothesis.
COMMAND_MODULES: tuple[str, ...] = ("ccrverify.explore.commands", "ccrverify.sweep.commands",
                                   "ccrverify.symbolic.commands")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        sys.exit(EXIT_USAGE)


@dataclass(frozen=True)
class Target:
    """The model a command works on: the loaded spec and its knob values."""

    loaded: LoadedSpec
    knobs: dict[str, Any]
    config_path: str

    def build(self, symbolic: dict[str, tuple[int, int]] | None = None) -> Model:
        return self.loaded.build(self.knobs, symbolic)


def target_of(args: argparse.Namespace) -> Target:
    spec_arg, config_arg = args.spec, args.config
    if spec_arg and spec_arg.endswith(".toml") and not config_arg:
        spec_arg, config_arg = None, spec_arg
    config = load_config(config_arg) if config_arg else None
    if spec_arg is None:
        if config is None:
            raise UsageError("name a spec (a file such as specs/ccr.py, or a bundled model)")
        spec_arg = spec_for_config(config)
    loaded = load(spec_arg)
    knobs = resolve_knobs(loaded, config, args.set or [])
    return Target(loaded, knobs, config_arg or "")


def selected_properties(model: Model, names: Sequence[str] | None) -> list[str] | None:
    if not names:
        return None
    known = [p.name for p in model.properties]
    for name in names:
        if name not in known:
            raise UsageError(f"unknown property {name!r} for model {model.name}",
                             hint="known: " + (", ".join(known) or "none"))
    return list(names)


def add_target_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", nargs="?", help="spec file, bundled model name, or a .toml config")
    p.add_argument("--config", help="TOML configuration naming the model and its knobs")
    p.add_argument("--set", action="append", metavar="KNOB=VALUE", help="set a knob")


def progress_printer() -> Callable[[Any], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(p: Any) -> None:
        sys.stderr.write(f"\r  states {p.states:,}  queue {p.queue:,}  depth {p.depth}  "
                         f"{p.rate:,.0f} states/s   ")
        sys.stderr.flush()

    return show


# -- commands ---------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    from ccrverify.compile import compile_model
    from ccrverify.explicit.bfs import Budget
    from ccrverify.explicit.engine import check
    from ccrverify.render.text import render_result

    if args.max_states is not None and args.max_states < 1:
        raise UsageError("--max-states must be at least 1")
    target = target_of(args)
    model = target.build()
    props = selected_properties(model, args.property)
    progress = progress_printer()
    budget = Budget(max_states=args.max_states, fail_fast=args.fail_fast,
                    check_deadlock=not args.no_deadlock, progress=progress)
    result = check(compile_model(model), props, budget, args.backend)
    if progress:
        sys.stderr.write("\r" + " " * 78 + "\r")
    found = _suggest(args, target, result, props) if args.suggest else None
    if args.json:
        print(json.dumps(result.to_json() | ({} if found is None else {
            "suggestions": found.to_json()}), indent=2, sort_keys=False))
    elif args.trace_format == "json":
        print(json.dumps([p.to_json() for p in result.properties], indent=2))
    else:
        print(render_result(result, _display(str(target.loaded.path)), model.clock,
                            args.trace_format, args.full))
        if found is not None:
            from ccrverify.render.suggest import render_suggestions
            print("\n" + render_suggestions(found))
    return result.exit_status()


def _suggest(args: argparse.Namespace, target: Target, result: Any, props: list[str] | None
             ) -> Any:
    """Nearest safe configurations when the check found a violation (else None)."""
    from ccrverify.suggest import SuggestOptions, suggest
    from ccrverify.sweep.executors import make_executor

    if result.exit_status() != EXIT_VIOLATED:
        return None
    options = SuggestOptions(keep=tuple(args.keep or ()))
    return suggest(target.loaded, target.knobs, result, props, not args.no_deadlock,
                   make_executor(None, None), options)


def cmd_list_knobs(args: argparse.Namespace) -> int:
    target = target_of(args)
    spec = target.loaded.spec
    rows = [[k.name, _fmt(k.default), _fmt(target.knobs.get(k.name, k.default)),
             k.describe_range(), k.doc] for k in spec.knobs.values()]
    if args.json:
        print(json.dumps([{"name": r[0], "default": k.default, "value": target.knobs.get(
            k.name, k.default), "range": r[3], "doc": r[4]}
            for r, k in zip(rows, spec.knobs.values(), strict=True)], indent=2))
    else:
        print(tabulate(rows, headers=["knob", "default", "value", "range", "meaning"],
                       disable_numparse=True))
    return EXIT_OK


def cmd_list_properties(args: argparse.Namespace) -> int:
    model = target_of(args).build()
    rows = [[p.name, p.description] for p in model.properties]
    if args.json:
        print(json.dumps([{"name": n, "description": d} for n, d in rows], indent=2))
    else:
        print(tabulate(rows, headers=["property", "description"]))
    return EXIT_OK


def cmd_compile(args: argparse.Namespace) -> int:
    from ccrverify.compile import compile_model
    from ccrverify.explicit.codegen import generate

    compiled = compile_model(target_of(args).build())
    if args.emit_kernel:
        print(generate(compiled).source, end="")
    else:
        m = compiled.model
        print(f"model {m.name}: {len(m.variables)} variables, {len(m.slots)} slots, "
              f"{compiled.layout.bits} bits per state, {len(m.actions)} action instances, "
              f"{len(m.properties)} properties")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from ccrverify.compile import compile_model
    from ccrverify.explicit.bfs import Budget
    from ccrverify.explicit.engine import check
    from ccrverify.publish import SUFFIXES, report_sweeps, write_report
    from ccrverify.render.text import verdict_table
    from ccrverify.report import build_report

    if args.max_states is not None and args.max_states < 1:
        raise UsageError("--max-states must be at least 1")
    out = writable(args.out, "--out", SUFFIXES, create_parents=True)
    target = target_of(args)
    model = target.build()
    props = selected_properties(model, args.property)
    result = check(compile_model(model), props,
                   Budget(max_states=args.max_states, progress=progress_printer()))
    spec = target.loaded.spec
    config = load_config(target.config_path) if target.config_path else None
    sweeps = report_sweeps(target.loaded, target.knobs, args.sweep or [], props,
                           args.store, not args.no_store, args.jobs)
    report = build_report(
        model, result, {k.name: (k.default, k.doc) for k in spec.knobs.values()},
        _display(str(target.loaded.path)), target.config_path,
        config.description if config else "", "ccrverify " + " ".join(sys.argv[1:]), sweeps)
    try:
        written = write_report(report, out)
    except OSError as err:
        raise UsageError(f"cannot write {out}: {err.strerror or err}") from None
    for path in written:
        print(f"wrote {path}")
    print(verdict_table(result))
    return result.exit_status()


def _display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _fmt(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


# -- the parser ---------------------------------------------------------------------------
DESCRIPTION = """\
A model checker for failover protocols. It answers questions such as "can this
cluster configuration split-brain?" or "can it lose acknowledged mail?" with a
proof or with the shortest trace that breaks the property."""

EPILOG = """\
examples:
  ccrverify check specs/ccr.py                      every reachable state, every property
  ccrverify check specs/ccr.py --set renew_grace=3  the same with one knob changed
  ccrverify prove specs/ccr.py --property NoSplitBrain --method pdr
  ccrverify sweep specs/ccr.py --grid renew_grace=1..4 --grid witness_lease=1..4

exit status:
  0  every property holds          1  a property is violated
  2  bad input (one line names the file, the place and the fix)
  3  incomplete: a limit was hit, or a verdict is not a proof (unknown, bounded)
  4  internal error in ccrverify (a bug: please report it)

Run ccrverify COMMAND --help for a command's options."""


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ccrverify", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ccrverify {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True,
                                metavar="COMMAND")

    p = sub.add_parser(
        "check", help="enumerate every reachable state (explicit engine)",
        description="Enumerate every reachable state of a model breadth first and decide "
        "every property: holds (a proof by exhaustion) or violated with a shortest "
        "counterexample. Deadlocks are reported unless --no-deadlock.")
    add_target_args(p)
    p.add_argument("--property", action="append", metavar="NAME", help="check only these")
    p.add_argument("--max-states", type=int, metavar="N", help="stop after N distinct states")
    p.add_argument("--no-deadlock", action="store_true", help="do not report deadlocks")
    p.add_argument("--fail-fast", action="store_true", help="stop at the first violation")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--trace-format", choices=["table", "json", "markdown"], default="table",
                   help="how counterexamples are shown (default: table)")
    p.add_argument("--full", action="store_true", help="show whole states in traces")
    p.add_argument("--backend", choices=["auto", "numpy", "python"], default="auto",
                   help="numpy frontier (states up to 63 bits) or per-state Python kernel")
    p.add_argument("--suggest", action="store_true",
                   help="on a violation, search nearby knob values for safe configurations")
    p.add_argument("--keep", action="append", metavar="KNOB",
                   help="with --suggest: never change this knob")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("list-knobs", help="knobs, defaults, ranges and meaning")
    add_target_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list_knobs)

    p = sub.add_parser("list-properties", help="the properties of a model")
    add_target_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list_properties)

    p = sub.add_parser("compile", help="show the compiled model or its generated kernel")
    add_target_args(p)
    p.add_argument("--emit-kernel", action="store_true", help="print the generated Python")
    p.set_defaults(run=cmd_compile)
    p = sub.add_parser("report", help="write a report of one check (Markdown or HTML)")
    add_target_args(p)
    p.add_argument("--out", required=True, help="the report file (.md or .html)")
    p.add_argument("--property", action="append", metavar="NAME", help="report only these")
    p.add_argument("--max-states", type=int, metavar="N", help="stop after N distinct states")
    p.add_argument("--sweep", action="append", metavar="'KNOB=LO..HI ...'",
                   help="add a sweep around this configuration (a heat map per property)")
    p.add_argument("--store", metavar="PATH", help="results store for --sweep (default "
                   ".ccrverify/results.sqlite)")
    p.add_argument("--no-store", action="store_true", help="--sweep without the store")
    p.add_argument("--jobs", type=int, metavar="N", help="processes for --sweep")
    p.set_defaults(run=cmd_report)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    streams = console.install()
    try:
        return _main(argv)
    finally:
        console.restore(streams)


def _main(argv: Sequence[str] | None) -> int:
    args = make_parser().parse_args(argv)
    try:
        status: int = args.run(args)
        return status
    except CcrError as err:
        sys.stderr.write(f"ccrverify: error: {err}\n")
        trace = getattr(err, "trace", None)
        if trace is not None:
            from ccrverify.render.text import trace_table

            how = (f"reached by {len(trace)} action{'' if len(trace) == 1 else 's'}"
                   if len(trace) else "an initial state")
            sys.stderr.write(f"The state where it happens ({how}):\n{trace_table(trace)}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("ccrverify: interrupted\n")
        return EXIT_INCOMPLETE
    except Exception as exc:  # a bug in ccrverify itself
        if os.environ.get("CCRVERIFY_DEBUG"):
            raise
        sys.stderr.write(f"ccrverify: internal error: {type(exc).__name__}: {exc} "
                         "(rerun with CCRVERIFY_DEBUG=1 for the traceback)\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
