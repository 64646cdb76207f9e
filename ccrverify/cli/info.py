"""``list-knobs``, ``list-properties``, ``list-engines`` and ``compile``: what a
model and the tool offer, without checking anything."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tabulate import tabulate

from ccrverify import engines
from ccrverify.cli.common import EXIT_OK, add_target_args, target_of


def register(sub: Any) -> None:
    p = sub.add_parser("list-knobs", help="knobs, defaults, ranges and meaning")
    add_target_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list_knobs)

    p = sub.add_parser("list-properties", help="the properties of a model")
    add_target_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list_properties)

    p = sub.add_parser("list-models", help="the bundled models: what each is, its knobs and "
                       "named configurations")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list_models)

    p = sub.add_parser("list-engines", help="the engines, what each decides and promises")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list_engines)

    p = sub.add_parser("compile", help="show the compiled model or its generated kernel")
    add_target_args(p)
    p.add_argument("--emit-kernel", action="store_true", help="print the generated Python")
    p.set_defaults(run=cmd_compile)


def _fmt(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_list_knobs(args: argparse.Namespace) -> int:
    target = target_of(args)
    spec = target.loaded.spec
    rows = [[k.name, _fmt(k.default), _fmt(target.knobs.get(k.name, k.default)),
             k.describe_range(), k.doc] for k in spec.knobs.values()]
    if args.json:
        _out(json.dumps([{"name": r[0], "default": k.default, "value": target.knobs.get(
            k.name, k.default), "range": r[3], "doc": r[4]}
            for r, k in zip(rows, spec.knobs.values(), strict=True)], indent=2))
    else:
        _out(tabulate(rows, headers=["knob", "default", "value", "range", "meaning"],
                      disable_numparse=True))
    return EXIT_OK


def cmd_list_properties(args: argparse.Namespace) -> int:
    model = target_of(args).build()
    rows = [[p.name, p.kind.value, p.description] for p in model.properties]
    if args.json:
        _out(json.dumps([{"name": n, "kind": k, "description": d} for n, k, d in rows],
                        indent=2))
    else:
        _out(tabulate(rows, headers=["property", "kind", "description"]))
    return EXIT_OK


def cmd_list_models(args: argparse.Namespace) -> int:
    from ccrverify.loader import REPO_ROOT, bundled_models, load

    rows: list[dict[str, Any]] = []
    for name in bundled_models():
        loaded = load(name)
        spec = loaded.spec
        folder = REPO_ROOT / "specs" / name
        configs = sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
        paragraph = (spec.doc or "").strip().split("\n\n")[0]
        summary = " ".join(paragraph.split())
        summary = summary.split(". ")[0].rstrip(".") + "." if summary else ""
        rows.append({"model": name, "name": spec.name, "summary": summary,
                     "knobs": {k.name: k.default for k in spec.knobs.values()},
                     "configurations": [f"specs/{name}/{c}.toml" for c in configs],
                     "semantics": f"specs/{name}/SEMANTICS.md"
                     if (folder / "SEMANTICS.md").is_file() else ""})
    if args.json:
        _out(json.dumps(rows, indent=2))
        return EXIT_OK
    lines = []
    for r in rows:
        lines.append(f"{r['model']}: {r['summary']}")
        knobs = ", ".join(f"{k}={_fmt(v)}" for k, v in r["knobs"].items())
        lines.append(f"    knobs: {knobs or '(none)'}")
        if r["configurations"]:
            lines.append("    configurations: " + ", ".join(
                c.rsplit("/", 1)[-1].removesuffix(".toml") for c in r["configurations"]))
        if r["semantics"]:
            lines.append(f"    semantics: {r['semantics']}")
    lines.append("\nRun one with: ccrverify check MODEL (or specs/MODEL/CONFIGURATION.toml)")
    _out("\n".join(lines))
    return EXIT_OK


def cmd_list_engines(args: argparse.Namespace) -> int:
    rows: list[dict[str, Any]] = []
    for name in engines.names():
        e = engines.engine(name)
        rows.append({"name": name, "decides": sorted(k.value for k in e.decides),
                     "verdicts": sorted(v.value for v in e.verdicts),
                     "counts_states": e.counts_states, "shortest": e.shortest,
                     "symbolic_knobs": e.symbolic_knobs, "summary": e.summary})
    if args.json:
        _out(json.dumps(rows, indent=2))
    else:
        _out(tabulate([[r["name"], " ".join(r["verdicts"]), "yes" if r["shortest"] else "",
                        r["summary"]] for r in rows],
                      headers=["engine", "verdicts", "shortest", "what it does"],
                      maxcolwidths=[None, None, None, 70]))
    return EXIT_OK


def cmd_compile(args: argparse.Namespace) -> int:
    from ccrverify.compile import compile_model
    from ccrverify.explicit.codegen import generate

    compiled = compile_model(target_of(args).build())
    if args.emit_kernel:
        sys.stdout.write(generate(compiled).source)
    else:
        m = compiled.model
        _out(f"model {m.name}: {len(m.variables)} variables, {len(m.slots)} slots, "
             f"{compiled.layout.bits} bits per state, {len(m.actions)} action instances, "
             f"{len(m.properties)} properties")
    return EXIT_OK
