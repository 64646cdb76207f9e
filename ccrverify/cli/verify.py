"""``check``, ``prove`` and ``explore``: one flow (target, engine, request, result,
render) with three defaults. Every engine of the registry runs under each
name; ``check --backend``, ``prove --method`` and explore's own options are
kept as the spellings users know."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from ccrverify import api, engines
from ccrverify.cli.common import (
    EXIT_VIOLATED,
    add_engine_args,
    add_target_args,
    clear_progress,
    display,
    error_line,
    progress_printer,
    request_of,
    target_of,
)
from ccrverify.errors import UsageError
from ccrverify.outputs import exit_status, writable, write_text
from ccrverify.result import CheckResult, VerdictKind

DATABASE_DIR = ".ccrverify"  # explore's examples, under the working directory
METHODS = {"bmc": "bmc", "kind": "kind", "pdr": "pdr", "mined": "mined", "auto": "z3"}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check", help="enumerate every reachable state (explicit engine)",
        description="Enumerate every reachable state of a model breadth first and decide "
        "every property: holds (a proof by exhaustion) or violated with a shortest "
        "counterexample. Deadlocks are reported unless --no-deadlock. Any other engine "
        "runs with --engine.")
    add_target_args(p)
    add_engine_args(p, "explicit")
    p.add_argument("--backend", choices=["auto", "numpy", "python"],
                   help="same as --engine explicit (auto), numpy or python")
    _add_output_args(p)
    p.add_argument("--replay", metavar="FILE",
                   help="check a saved trace (ITF or JSON) against the model instead of "
                        "searching: same as ccrverify replay FILE SPEC")
    p.add_argument("--suggest", action="store_true",
                   help="on a violation, search nearby knob values for safe configurations")
    p.add_argument("--keep", action="append", metavar="KNOB",
                   help="with --suggest: never change this knob")
    p.add_argument("--prefer", metavar="PROPERTY",
                   help="with --suggest: among safe settings, the fastest response of this "
                        "response property first (e.g. FailoverTimeCaughtUp)")
    p.set_defaults(run=cmd_verify, command_name="check")

    p = sub.add_parser(
        "prove", help="prove or refute properties with Z3 (BMC, k-induction, PDR)",
        description="Decide properties with the Z3 engines: bmc (bounded, never holds), kind "
        "(k-induction), pdr (Spacer), mined (lemmas mined from explicit samples), or z3 "
        "(pdr, then bmc for what it leaves open; the default). A holds rests on an "
        "inductive invariant re-checked by a fresh solver; --certificate writes it.")
    add_target_args(p)
    add_engine_args(p, "z3")
    p.add_argument("--method", choices=list(METHODS),
                   help="same as --engine: bmc, kind, pdr, mined; auto means z3")
    _add_output_args(p)
    p.set_defaults(run=cmd_verify, command_name="prove")

    p = sub.add_parser(
        "explore", help="random, reproducible exploration with shrinking "
                        "(Hypothesis); finds violations, never proves",
        description="Random runs drawn by Hypothesis with swarm testing; a failing run is "
        "shrunk and replayed. Verdicts are violated or unknown with what was covered.")
    add_target_args(p)
    add_engine_args(p, "explore")
    _add_output_args(p)
    p.set_defaults(run=cmd_verify, command_name="explore")


def _add_output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--symbolic", action="append", metavar="KNOB=LO..HI",
                   help="Z3 engines: leave a value knob unknown within a range")
    p.add_argument("--certificate", metavar="FILE",
                   help="write the proof as SMT-LIB 2 (pdr, kind, mined, z3); re-check "
                        "with: z3 FILE")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--trace-format", choices=["table", "json", "markdown", "itf"],
                   default="table",
                   help="how counterexamples are shown (default: table); itf prints the "
                        "counterexample as an ITF document (Apalache, Quint), or a JSON list "
                        "of them when there are several, and the verdicts on stderr")
    p.add_argument("--out", metavar="FILE",
                   help="write every counterexample to a file (ITF unless --trace-format "
                        "json): FILE for one, FILE with -PROPERTY-N before its suffix for "
                        "several")
    p.add_argument("--full", action="store_true", help="show whole states in traces")


def engine_name(args: argparse.Namespace) -> str:
    if getattr(args, "backend", None):
        return str({"auto": "explicit"}.get(args.backend, args.backend))
    if getattr(args, "method", None):
        return METHODS[args.method]
    return str(args.engine)


def cmd_verify(args: argparse.Namespace) -> int:
    if getattr(args, "replay", None):
        from ccrverify.cli.replay import replay_file

        return replay_file(args, args.replay, args.spec)
    name = engine_name(args)
    engine = engines.engine(name)
    progress = progress_printer()
    request = request_of(args, progress)
    target = target_of(args)
    certificate = _certificate_path(args, engine, request)
    out = writable(args.out, "--out") if args.out else None
    ranges = api.parse_ranges(args.symbolic, "--symbolic")
    with _explore_home(args, engine.name):
        result = api.run(target, engine.name, request, ranges or None)
    clear_progress(progress)
    error = ""
    if certificate is not None and result.certificate_text is not None:
        error = write_text(certificate, result.certificate_text)
        if not error:
            from dataclasses import replace

            result = replace(result, certificate=str(certificate))
    found = _suggest(args, target, result) if getattr(args, "suggest", False) else None
    _print(args, target, result, found)
    errors = [error]
    if out is not None:
        errors += _write_traces(args, target, result, out)
    for line in errors:
        if line:
            error_line(line)
    return exit_status(result.exit_status(), errors)


def _write_traces(args: argparse.Namespace, target: api.Target, result: CheckResult,
                  out: Path) -> list[str]:
    """--out: one file per counterexample (after the verdict is printed)."""
    from ccrverify.render.traces import trace_documents, trace_file_names

    documents = trace_documents(result, target.build(), display(target.source),
                                "json" if args.trace_format == "json" else "itf")
    names = trace_file_names(out, [name for name, _ in documents])
    errors = []
    for path, (_, text) in zip(names, documents, strict=True):
        errors.append(write_text(path, text))
    if documents and not any(errors):
        shown = ", ".join(str(p) for p in names)
        sys.stderr.write(f"wrote {len(names)} trace file{'s' if len(names) > 1 else ''}: "
                         f"{shown}\n")
    return errors


def _certificate_path(args: argparse.Namespace, engine: engines.Engine, request: Any
                      ) -> Path | None:
    """Checked before any work: a proof of minutes must not end in "cannot write"."""
    if not args.certificate:
        return None
    if VerdictKind.HOLDS not in engine.verdicts or engine.name == "bmc":
        raise UsageError(f"--certificate needs a proof: engine {engine.name} gives none",
                         hint="use --engine pdr, kind, mined or z3 (BMC without a violation "
                              "proves nothing beyond its bound)")
    if engine.name == "kind" and (request.properties is None or len(request.properties) > 1):
        raise UsageError("--certificate with --engine kind needs one --property")
    return writable(args.certificate, "--certificate")


@contextmanager
def _explore_home(args: argparse.Namespace, engine: str) -> Iterator[None]:
    """Hypothesis keeps caches in its home directory, ./.hypothesis unless told
    otherwise: keep them under .ccrverify/ with the examples, or nowhere with
    --no-db. It reads the variable at its first write, so this must be in place
    before it runs; a user's own setting wins."""
    if engine != "explore" or "HYPOTHESIS_STORAGE_DIRECTORY" in os.environ:
        yield
        return
    with ExitStack() as stack:
        if args.no_db:
            home = stack.enter_context(tempfile.TemporaryDirectory(prefix="ccrverify-"))
        else:
            home = str(Path(DATABASE_DIR) / "hypothesis-home")
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = home
        try:
            yield
        finally:
            del os.environ["HYPOTHESIS_STORAGE_DIRECTORY"]


def _suggest(args: argparse.Namespace, target: api.Target, result: CheckResult) -> Any:
    """Nearest safe configurations when the check found a violation (else None)."""
    from ccrverify.suggest import SuggestOptions, suggest
    from ccrverify.sweep.executors import make_executor

    if result.exit_status() != EXIT_VIOLATED:
        return None
    if args.prefer is not None:
        prop = api.select(target.build(), [args.prefer])
        if target.build().property(args.prefer).kind.value != "response":
            raise UsageError(f"--prefer {args.prefer}: not a response property",
                             hint="name one measured in ticks, e.g. FailoverTimeCaughtUp")
        del prop
    options = SuggestOptions(keep=tuple(args.keep or ()), prefer=args.prefer)
    props = list(args.property) if args.property else None
    return suggest(target.loaded, target.knobs, result, props, not args.no_deadlock,
                   make_executor(None, None), options)


def _print(args: argparse.Namespace, target: api.Target, result: CheckResult,
           found: Any) -> None:
    import json

    from ccrverify.render.output import render

    if args.json:
        data = result.to_json()
        if found is not None:
            data["suggestions"] = found.to_json()
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    clock = target.loaded.spec.clock
    if args.trace_format == "itf" and not args.out:
        from ccrverify.render.traces import itf_stdout

        sys.stderr.write(render(result, False, "table", display(target.source), clock,
                                args.full, traces=False) + "\n")
        sys.stdout.write(itf_stdout(result, target.build(), display(target.source)) + "\n")
        return
    sys.stdout.write(render(result, False, args.trace_format, display(target.source), clock,
                            args.full) + "\n")
    if found is not None and args.trace_format != "json":
        from ccrverify.render.suggest import render_suggestions

        sys.stdout.write("\n" + render_suggestions(found) + "\n")
