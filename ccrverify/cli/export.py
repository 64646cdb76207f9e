"""``export``: a model and its knob values in another tool's language (TLA+ and a
TLC configuration)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ccrverify.cli.common import EXIT_OK, add_target_args, display, target_of
from ccrverify.outputs import exit_status, writable, writable_directory, write_text


def register(sub: Any) -> None:
    p = sub.add_parser(
        "export", help="write the model as a TLA+ module and TLC configuration",
        description="Write the model, built with its knob values, as a TLA+ module "
        "(variables and TypeOK, Init, one operator per action instance, Next, Spec with "
        "the model's fairness as WF_vars/SF_vars, the invariants and temporal "
        "properties) and a TLC configuration (the knobs as constants, the invariants, "
        "the temporal properties, CHECK_DEADLOCK). TLC finds the same states, depth and "
        "verdicts as check. Response properties (clock ticks under assumptions of their "
        "own) have no TLA+ counterpart and are left out, with a note on stderr.")
    add_target_args(p)
    p.add_argument("--format", choices=["tla"], default="tla", help="the language (tla)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the directory for MODULE.tla and MODULE.cfg (created if needed)")
    p.add_argument("--module", metavar="NAME",
                   help="the module name (default: the model's name)")
    p.set_defaults(run=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from ccrverify.export.tla import export_tla
    from ccrverify.export.tlaexpr import identifier

    directory = writable_directory(args.out, "--out")
    target = target_of(args)
    model = target.build()
    name = identifier(args.module or model.name)
    tla = writable(str(Path(directory) / f"{name}.tla"), "--out", create_parents=True)
    cfg = writable(str(Path(directory) / f"{name}.cfg"), "--out", create_parents=True)
    exported = export_tla(model, name)
    errors = [write_text(tla, exported.module), write_text(cfg, exported.config)]
    if exported.left_out:
        sys.stderr.write("ccrverify: note: not exported (response properties count clock "
                         "ticks, which no plain TLA+ temporal formula states): "
                         f"{', '.join(exported.left_out)}\n")
    for error in errors:
        if error:
            sys.stderr.write(f"ccrverify: error: {error}\n")
    if not any(errors):
        sys.stdout.write(f"wrote {display(str(tla))} and {display(str(cfg))} "
                         f"({model.name}, {len(model.actions)} action instances, "
                         f"{len(exported.module.splitlines())} lines)\n")
    return exit_status(EXIT_OK, errors)
