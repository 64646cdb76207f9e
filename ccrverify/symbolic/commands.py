"""The ``prove`` and ``synthesize`` commands (registered by `ccrverify.cli`).

Engine modules, and with them z3, are imported inside the command functions,
so ``ccrverify check`` never loads z3. Like `cli.py`, this module is part of
the command line and writes to stdout; everything it prints comes from
results returned by the engines.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ccrverify.cli import Target, add_target_args, selected_properties, target_of
from ccrverify.errors import SpecError, UsageError
from ccrverify.outputs import exit_status, writable, writable_directory, write_text

if TYPE_CHECKING:
    from ccrverify.compile import CompiledModel
    from ccrverify.model import Model
    from ccrverify.result import CheckResult
    from ccrverify.symbolic.synthesis import Synthesis

METHODS = ("bmc", "kind", "pdr", "mined", "auto")


def register(sub: Any) -> None:
    p = sub.add_parser("prove", help="prove or refute properties with Z3 (BMC, k-induction, PDR)")
    add_target_args(p)
    p.add_argument("--property", action="append", metavar="NAME", help="prove only these")
    p.add_argument("--method", choices=METHODS, default="auto",
                   help="bmc: bounded search; kind: k-induction; pdr: Spacer with a checked "
                        "certificate; mined: lemmas mined from explicit samples, kept by "
                        "Houdini, one checked certificate per region of --symbolic values; "
                        "auto: pdr, then bmc for what pdr leaves open")
    p.add_argument("--depth", type=int, default=20, metavar="K", help="BMC bound (default 20)")
    p.add_argument("--max-k", type=int, default=12, metavar="K",
                   help="largest k tried by k-induction (default 12)")
    p.add_argument("--symbolic", action="append", metavar="KNOB=LO..HI",
                   help="leave a value knob unknown within a range")
    p.add_argument("--certificate", metavar="FILE",
                   help="write the proof as SMT-LIB 2 (pdr, kind); re-check with z3 FILE")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="time limit per property")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--trace-format", choices=["table", "markdown"], default="table")
    p.add_argument("--full", action="store_true", help="show whole states in traces")
    p.set_defaults(run=cmd_prove)

    p = sub.add_parser("synthesize", help="the knob values in a box where a property holds")
    add_target_args(p)
    p.add_argument("--property", required=True, metavar="NAME")
    p.add_argument("--knob", action="append", required=True, metavar="KNOB=LO..HI",
                   help="a knob of the box and its range (repeat for each knob)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="overall time limit")
    p.add_argument("--certificates", metavar="DIR",
                   help="write each safe region's proof as DIR/region-N.smt2 (re-check: z3 FILE)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=cmd_synthesize)


# -- knobs -------------------------------------------------------------------------------
def parse_ranges(items: Sequence[str] | None, option: str) -> dict[str, tuple[int, int]]:
    ranges: dict[str, tuple[int, int]] = {}
    for item in items or []:
        name, _, text = item.partition("=")
        lo_text, sep, hi_text = text.partition("..")
        try:
            lo, hi = int(lo_text), int(hi_text)
        except ValueError:
            lo, hi = 0, -1
            sep = ""
        if not name.strip() or not sep:
            raise UsageError(f"{option} {item!r}: expected KNOB=LO..HI, e.g. renew_grace=1..6")
        if lo > hi:
            raise UsageError(f"{option} {item!r}: the range is empty")
        ranges[name.strip()] = (lo, hi)
    return ranges


def build_symbolic(target: Target, ranges: Mapping[str, tuple[int, int]], option: str) -> Model:
    """The model with these knobs left symbolic, or a clear refusal."""
    spec = target.loaded.spec
    for name in ranges:
        if name not in spec.knobs:
            spec.knob_values({name: 0})  # the unknown-knob error, with a suggestion
        if spec.knobs[name].is_bool:
            raise UsageError(f"{option} {name}: a boolean knob cannot be symbolic",
                             hint="it switches parts of the model on or off; use --set")
        if name in target.knobs:
            raise UsageError(f"{option} {name}: the knob is also given a value (--set or "
                             "--config)", hint="give it either a value or a range")
    try:
        return target.build(dict(ranges))
    except SpecError as err:
        if "concrete value" in err.message or "Python needs an int" in err.message:
            names = ", ".join(sorted(ranges))
            # A frame of generated code (a dataclass __init__) is no place to show.
            where = err.location if err.location and "<" not in err.location.file else None
            raise SpecError(
                f"{option}: cannot leave {names} symbolic: {err.message}", where,
                "the knob is structural: it shapes the model (its variables, domains or "
                "actions), so it needs a value; use --set or a sweep") from None
        raise


def concretizer(target: Target) -> Any:
    """Knob values picked by a solver -> the model built with them as ordinary knobs."""
    from ccrverify.compile import compile_model

    cache: dict[tuple[tuple[str, int], ...], CompiledModel] = {}

    def concretize(values: Mapping[str, int]) -> CompiledModel:
        key = tuple(sorted(values.items()))
        if key not in cache:
            cache[key] = compile_model(target.loaded.build({**target.knobs, **values}))
        return cache[key]

    return concretize


# -- prove -----------------------------------------------------------------------------------
def cmd_prove(args: argparse.Namespace) -> int:
    from ccrverify.compile import compile_model
    from ccrverify.symbolic.common import Limits, fixed

    if args.depth < 0 or args.max_k < 1:
        raise UsageError("--depth must be >= 0 and --max-k >= 1")
    if args.certificate and args.method == "bmc":
        raise UsageError("--certificate needs a proof: --method pdr, kind or auto",
                         hint="BMC without a violation proves nothing beyond its bound")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    target = target_of(args)
    certificate = writable(args.certificate, "--certificate") if args.certificate else None
    ranges = parse_ranges(args.symbolic, "--symbolic")
    model = build_symbolic(target, ranges, "--symbolic") if ranges else target.build()
    props = selected_properties(model, args.property)
    if certificate is not None and args.method == "kind" and len(props or model.properties) > 1:
        raise UsageError("--certificate with --method kind needs one --property")
    compiled = compile_model(model)
    concretize = concretizer(target) if ranges else fixed(compiled)
    limits = Limits(depth=args.depth, max_k=args.max_k, seconds=args.timeout)
    started = time.perf_counter()
    result, text = run_method(args.method, compiled, props, limits, concretize)
    result = _with_time(result, time.perf_counter() - started)
    error = ""
    if text is not None and certificate is not None:
        error = write_text(certificate, text)
        if not error:
            result = replace(result, extra={**result.extra, "certificate": str(certificate)})
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(render_proof(result, str(target.loaded.path), model.clock,
                                      args.trace_format, args.full) + "\n")
    if error:
        sys.stderr.write(f"ccrverify: error: {error}\n")
    return exit_status(result.exit_status(), [error])


def run_method(method: str, compiled: CompiledModel, props: list[str] | None, limits: Any,
               concretize: Any) -> tuple[CheckResult, str | None]:
    """The result, and the certificate text of the proof when there is exactly one."""
    from ccrverify.symbolic import bmc, kinduction, spacer

    if method == "bmc":
        return bmc.check(compiled, props, limits, concretize), None
    if method == "mined":
        from ccrverify.symbolic import synthesis

        return synthesis.check(compiled, props, limits, concretize)
    if method == "kind":
        result, proofs = kinduction.check(compiled, props, limits, concretize)
        return result, proofs[0].text if len(proofs) == 1 else None
    result, certificate = spacer.check(compiled, props, limits, concretize)
    text = None if certificate is None else certificate.text
    if method == "auto":
        extra = {**result.extra, "method": "auto"}
        open_props = [p.name for p in result.properties if p.verdict.kind == "unknown"]
        if open_props:
            bounded = {p.name: p for p in bmc.check(compiled, open_props, limits,
                                                    concretize).properties}
            merged = tuple(bounded.get(p.name, p) for p in result.properties)
            extra["bound"] = limits.depth
            result = replace(result, properties=merged,
                             complete=all(p.verdict.kind != "unknown" for p in merged))
        result = replace(result, extra=extra)
    return result, text


def _with_time(result: CheckResult, seconds: float) -> CheckResult:
    return replace(result, stats=replace(result.stats, seconds=seconds))


def render_proof(result: CheckResult, source: str, clock: str, fmt: str, full: bool) -> str:
    from ccrverify.render.text import format_value, trace_table, verdict_table

    knobs = " ".join(f"{k}={format_value(v)}" for k, v in sorted(result.knobs.items()))
    lines = [f"model {result.model} ({source})  knobs: {knobs}",
             f"{result.engine}: method {result.extra.get('method')}, "
             f"{result.stats.seconds:.2f} s" + ("" if result.complete else ", INCOMPLETE")]
    lines += list(result.notes)
    lines += ["", verdict_table(result)]
    for p in result.properties:
        if p.verdict.reason and p.verdict.kind not in ("violated", "holds"):
            lines.append(f"{p.name}: {p.verdict.reason}")
        if "k" in p.details:
            lines.append(f"{p.name}: proved by {p.details['k']}-induction")
        for n, region in enumerate(p.details.get("regions", []), 1):
            lines.append(f"{p.name}: proof {n} covers {region}")
        if p.verdict.kind == "holds" and "invariant" in p.details:
            lemmas = p.details["invariant"]
            lines += ["", f"Inductive invariant for {p.name} ({len(lemmas)} lemmas, "
                          "certificate checked):"]
            lines += [f"  {lemma}" for lemma in lemmas]
        if p.trace is not None:
            at = p.details.get("knob_values")
            where = (" with " + " ".join(f"{k}={v}" for k, v in at.items())) if at else ""
            lines += ["", f"Counterexample to {p.name}{where} ({len(p.trace)} actions, "
                          f"ends in {p.trace.ends_in}):",
                      trace_table(p.trace, clock, fmt, full)]
    if result.extra.get("certificate"):
        lines += ["", f"certificate written to {result.extra['certificate']} "
                      f"(re-check: z3 {result.extra['certificate']})"]
    return "\n".join(lines)


# -- synthesize ----------------------------------------------------------------------------
def cmd_synthesize(args: argparse.Namespace) -> int:
    from ccrverify.compile import compile_model
    from ccrverify.symbolic.synthesis import synthesize

    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    target = target_of(args)
    folder = writable_directory(args.certificates, "--certificates") if args.certificates \
        else None
    box = parse_ranges(args.knob, "--knob")
    model = build_symbolic(target, box, "--knob")
    selected_properties(model, [args.property])
    result = synthesize(compile_model(model), args.property, concretizer(target), args.timeout)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(render_synthesis(result) + "\n")
    errors = [write_text(folder / f"region-{n}.smt2", region.certificate)
              for n, region in enumerate(result.regions, 1)] if folder is not None else []
    for error in filter(None, errors):
        sys.stderr.write(f"ccrverify: error: {error}\n")
    verdicts = set(result.verdicts.values())
    return exit_status(3 if "unknown" in verdicts else 0, errors)


def render_synthesis(s: Synthesis) -> str:
    from tabulate import tabulate

    mark = {"holds": "holds", "violated": "VIOLATED", "unknown": "?"}
    names = sorted(s.box)
    lines = [f"{s.property} over " + ", ".join(f"{k} in {lo}..{hi}"
                                               for k, (lo, hi) in sorted(s.box.items()))]
    if len(names) == 2:
        x, y = names
        xs = range(s.box[x][0], s.box[x][1] + 1)
        ys = range(s.box[y][0], s.box[y][1] + 1)
        rows = [[f"{x}={a}"] + [mark[s.verdicts[((x, a), (y, b))]] for b in ys] for a in xs]
        lines.append(tabulate(rows, headers=[""] + [f"{y}={b}" for b in ys],
                              disable_numparse=True))
    else:
        rows = [[str(v) for _, v in p] + [mark[verdict]]
                for p, verdict in sorted(s.verdicts.items())]
        lines.append(tabulate(rows, headers=names + ["verdict"], disable_numparse=True))
    safe = sum(v == "holds" for v in s.verdicts.values())
    lines += ["", f"holds at {safe} of {len(s.verdicts)} points"
                  + (f": exactly where {s.constraint}" if s.constraint else
                     " (no short constraint fits)")]
    for n, r in enumerate(s.regions, 1):
        lines.append(f"proof {n}: one inductive invariant ({r.lemmas} lemmas; {r.method}; "
                     f"certificate checked) covers {len(r.points)} point"
                     + ("" if len(r.points) == 1 else "s"))
    shapes: dict[tuple[str, ...], list[Any]] = {}
    for c in s.counterexamples:
        shapes.setdefault(c.labels, []).append(c.point)
    for labels, points in shapes.items():
        at = "; ".join(" ".join(f"{k}={v}" for k, v in p) for p in sorted(points))
        lines.append(f"counterexample ({len(labels)} actions: {' '.join(labels)}) at {at}")
    calls = ", ".join(f"{n} {c} in {s.timings.get(n, 0):.1f} s" for n, c in s.calls.items())
    lines.append(f"{s.seconds:.2f} s; calls: {calls}")
    return "\n".join(lines)
