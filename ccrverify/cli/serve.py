"""``serve``: the interactive trace explorer, a local web page over the model."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ccrverify.cli.common import EXIT_OK, add_target_args, display, target_of
from ccrverify.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve", help="explore the model and its counterexamples in the browser",
        description="Start a local web server with a page that shows the state as the "
        "model's own tables and the timeline picture, steps forward and back through a "
        "counterexample, and lists the actions enabled at any state (with their "
        "descriptions), so another branch can be taken and its properties seen. The "
        "current path can be saved as an ITF file that replay verifies. The page loads "
        "nothing from the network; the server listens on localhost unless --host says "
        "otherwise. Stop it with Ctrl-C.")
    add_target_args(p)
    p.add_argument("--trace", metavar="FILE",
                   help="start on this trace (ITF or JSON) instead of the first "
                        "counterexample")
    p.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765,
                   help="the port (default 8765; 0 picks a free one)")
    p.add_argument("--no-check", action="store_true",
                   help="do not run the explicit engine first (no counterexamples listed)")
    p.set_defaults(run=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from ccrverify import api
    from ccrverify.compile import compile_model
    from ccrverify.explorer.server import make_server
    from ccrverify.explorer.session import Explorer, Path, counterexamples_of
    from ccrverify.render.explorer import page_html

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a port number", hint="0..65535")
    target = target_of(args)
    model = target.build()
    compiled = compile_model(model)
    found: tuple[Any, ...] = ()
    if not args.no_check:
        found = counterexamples_of(api.run(target, "explicit"))
    start = None
    if args.trace:
        from ccrverify.itf import choices_of
        from ccrverify.tracefile import load_file

        init, choices = choices_of(compiled, load_file(args.trace)[0])
        start = Path(init, tuple(choices))
    explorer = Explorer(compiled, display(target.source), target.loaded.spec.clock, found,
                        start)
    try:
        server = make_server(explorer, page_html(model.name), args.host, args.port)
    except OSError as err:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}",
                         hint="choose another --port (0 picks a free one)") from None
    address = server.server_address
    host, port = str(address[0]), int(address[1])
    shown = f"[{host}]" if ":" in host else host
    sys.stdout.write(f"ccrverify explorer for {model.name}: http://{shown}:{port}/ "
                     f"({len(found)} counterexample{'' if len(found) == 1 else 's'}; "
                     "Ctrl-C stops it)\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK
