"""The ``ccrverify`` command line: a thin layer over `ccrverify.api`.

One module per group of commands (``verify``: check, prove, explore;
``synthesize``; ``sweep``: sweep, results, graph; ``report``; ``info``), each
with ``register(subparsers)``. Engines load lazily, so ``ccrverify check``
never imports z3 or Hypothesis. Exit status: 0 every property holds, 1 a
property is violated, 2 bad input or usage, 3 incomplete (a budget was hit or a
verdict is not a proof), 4 internal error. User errors are one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from ccrverify import __version__, console
from ccrverify.cli.common import EXIT_INCOMPLETE, EXIT_INTERNAL, EXIT_USAGE
from ccrverify.errors import CcrError

COMMAND_MODULES = ("ccrverify.cli.verify", "ccrverify.cli.synthesize", "ccrverify.cli.sweep",
                   "ccrverify.cli.report", "ccrverify.cli.info",
                   "ccrverify.cli.replay", "ccrverify.cli.export", "ccrverify.cli.serve")

DESCRIPTION = """\
A model checker for failover protocols. It answers questions such as "can this
cluster configuration split-brain?" or "can it lose acknowledged mail?" with a
proof or with the shortest trace that breaks the property."""

EPILOG = """\
examples:
  ccrverify check specs/ccr.py                      every reachable state, every property
  ccrverify check specs/ccr.py --set renew_grace=3  the same with one knob changed
  ccrverify prove specs/ccr.py --property NoSplitBrain --engine pdr
  ccrverify sweep specs/ccr.py --grid renew_grace=1..4 --grid witness_lease=1..4

exit status:
  0  every property holds          1  a property is violated
  2  bad input (one line names the file, the place and the fix)
  3  incomplete: a limit was hit, or a verdict is not a proof (unknown, bounded)
  4  internal error in ccrverify (a bug: please report it)

Run ccrverify COMMAND --help for a command's options."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        sys.exit(EXIT_USAGE)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ccrverify", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ccrverify {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True,
                                metavar="COMMAND")
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
    argv = list(sys.argv[1:] if argv is None else argv)
    args = make_parser().parse_args(argv)
    args.argv = argv  # the command as given, for a report's "made by" line
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
