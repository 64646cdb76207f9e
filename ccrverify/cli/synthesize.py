"""``synthesize``: the knob values in a box where a property holds."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ccrverify import api, engines
from ccrverify.cli.common import EXIT_INCOMPLETE, EXIT_OK, add_target_args, error_line, target_of
from ccrverify.errors import UsageError
from ccrverify.outputs import exit_status, writable_directory, write_text
from ccrverify.result import UNKNOWN


def register(sub: Any) -> None:
    p = sub.add_parser(
        "synthesize", help="the knob values in a box where a property holds",
        description="Decide a property at every point of a box of knob values and give the "
        "constraint that describes the safe points. With the default engine (mined) whole "
        "regions are proved at once, each by one checked certificate; any other engine "
        "decides the points one by one.")
    add_target_args(p)
    p.add_argument("--property", required=True, metavar="NAME")
    p.add_argument("--knob", action="append", required=True, metavar="KNOB=LO..HI",
                   help="a knob of the box and its range (repeat for each knob)")
    p.add_argument("--engine", default="mined", choices=engines.names(), metavar="NAME",
                   help="mined (default: region proofs) or any engine, point by point")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="overall time limit")
    p.add_argument("--certificates", metavar="DIR",
                   help="write each safe region's proof as DIR/region-N.smt2 (re-check: z3 FILE)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=cmd_synthesize)


def cmd_synthesize(args: argparse.Namespace) -> int:
    from ccrverify.render.synthesis import render_synthesis

    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    target = target_of(args)
    folder = writable_directory(args.certificates, "--certificates") if args.certificates \
        else None
    box = api.parse_ranges(args.knob, "--knob")
    result = api.synthesize(target, args.property, box, args.engine, args.timeout)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(render_synthesis(result) + "\n")
    errors = [write_text(folder / f"region-{n}.smt2", region.certificate)
              for n, region in enumerate(result.regions, 1)] if folder is not None else []
    for error in filter(None, errors):
        error_line(error)
    verdicts = set(result.verdicts.values())
    return exit_status(EXIT_INCOMPLETE if UNKNOWN in verdicts else EXIT_OK, errors)
