"""``replay``: check a saved trace (ITF or ccrverify JSON) against a model.

Exit status: 1 when a trace breaks a selected property, 0 when every trace is a
run of the model and breaks nothing, 2 when a trace is not a run of the model
(one line naming the step), as for any other bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ccrverify import api
from ccrverify.cli.common import EXIT_OK, EXIT_VIOLATED, add_target_args, display
from ccrverify.compile import compile_model
from ccrverify.errors import UsageError
from ccrverify.request import Request


def register(sub: Any) -> None:
    p = sub.add_parser(
        "replay", help="check a saved trace (ITF or JSON) against the model",
        description="Run a saved trace on the model: every step must be enabled and lead "
        "to the next state. Says which properties it breaks, and where first. The model is "
        "SPEC with --config/--set, or else the spec and knobs an ITF file written by "
        "ccrverify names in its #meta. Exit 1 when a trace breaks a property, 0 when it "
        "is a clean run, 2 when it is not a run of the model.")
    p.add_argument("trace", metavar="FILE", help="an ITF document (or a list of them), or "
                   "ccrverify's JSON (--json, --trace-format json, --out)")
    add_target_args(p)
    p.add_argument("--property", action="append", metavar="NAME", help="judge only these")
    p.add_argument("--no-deadlock", action="store_true", help="do not report deadlocks")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--full", action="store_true", help="show whole states in traces")
    p.set_defaults(run=lambda args: replay_file(args, args.trace, args.spec))


def replay_file(args: argparse.Namespace, path: str, spec: str | None) -> int:
    from ccrverify.tracefile import judge, load_file

    traces = load_file(path)
    if not traces:
        raise UsageError(f"{path}: the file holds no trace")
    target = _target(args, path, spec, traces)
    model = target.build()
    request = Request(properties=api.select(model, args.property),
                      check_deadlock=not args.no_deadlock)
    compiled = compile_model(model)
    judged = [judge(compiled, read, request) for read in traces]
    _print(args, target, judged)
    return EXIT_VIOLATED if any(j.violated for j in judged) else EXIT_OK


def _target(args: argparse.Namespace, path: str, spec: str | None, traces: list[Any]
            ) -> api.Target:
    """SPEC (or the file's own #meta source) with its knobs: the file's values, then
    the configuration's, then --set."""
    from ccrverify.loader import load_config
    from ccrverify.tracefile import meta_target

    source, from_file = meta_target(traces)
    config = args.config or (spec if spec and spec.endswith(".toml") else None)
    if spec is None and config is None:
        if source is None:
            raise UsageError(f"{path}: the file does not name its model",
                             hint="name the spec: ccrverify replay FILE SPEC [--set K=V]")
        spec = source
    target = api.target(spec, args.config, args.set or [])
    explicit = set(load_config(config).knobs) if config else set()
    explicit |= {item.partition("=")[0].strip() for item in args.set or []}
    keep = {k: v for k, v in from_file.items()
            if k in target.loaded.spec.knobs and k not in explicit}
    if not keep:
        return target
    knobs = target.loaded.spec.knob_values({**target.knobs, **keep})
    return api.Target(target.loaded, knobs, target.config_path)


def _print(args: argparse.Namespace, target: api.Target, judged: list[Any]) -> None:
    from ccrverify.render.text import format_value, trace_table

    if args.json:
        data = {"model": target.loaded.spec.name, "knobs": dict(sorted(target.knobs.items())),
                "traces": [j.to_json() for j in judged]}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    knobs = " ".join(f"{k}={format_value(v)}" for k, v in sorted(target.knobs.items()))
    lines = [f"model {target.loaded.spec.name} ({display(target.source)})  knobs: {knobs}"]
    for j in judged:
        what = (", ".join(f"{p} at state {i}" for p, i in j.violations)
                if j.violations else "no property")
        lines += ["", f"{j.name}: a run of the model, {len(j.trace)} actions"
                      + (f", loops back to state {j.trace.loop}" if j.trace.loop is not None
                         else "") + f"; breaks {what}"]
        if j.unjudged:
            lines.append(f"not judged on a finite trace: {', '.join(j.unjudged)}")
        lines.append(trace_table(j.trace, target.loaded.spec.clock, "table", args.full))
    sys.stdout.write("\n".join(lines) + "\n")
