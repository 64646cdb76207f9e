"""The explorer's HTTP server: the standard library's, bound to localhost.

Routes (all answers are generated here; the page loads nothing from elsewhere):
``GET /`` the page; ``GET /api/model`` the model, its properties and the
counterexamples found; ``POST /api/view`` with ``{"path": {"init", "choices"},
"at": k}`` the view at step k; ``GET /api/trace?init=I&choices=1,2,3`` the path
as an ITF file to save (``ccrverify replay`` verifies it). Nothing is logged
to the terminal: the CLI prints where the page is.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from ccrverify.explorer.session import Explorer, Path, PathError, path_of

MAX_BODY = 1 << 20  # a path of a million bytes is not one a person clicked


def make_server(explorer: Explorer, page: str, host: str = "127.0.0.1", port: int = 0
                ) -> HTTPServer:
    """A server for one explorer (port 0: any free port; see server_address)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "ccrverify-explorer"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # quiet: only the CLI writes to the terminal

        def _send(self, status: int, body: bytes, kind: str,
                  extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            # The page may load nothing and talk to nothing but this server.
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; script-src 'unsafe-inline'; "
                             "style-src 'unsafe-inline'; img-src data:; connect-src 'self'")
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, data: Any, status: int = 200, extra: dict[str, str] | None = None
                  ) -> None:
            self._send(status, json.dumps(data).encode(), "application/json", extra)

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            url = urlparse(self.path)
            if url.path == "/":
                self._send(200, page.encode(), "text/html; charset=utf-8")
            elif url.path == "/api/model":
                self._json(explorer.about())
            elif url.path == "/api/trace":
                query = parse_qs(url.query)
                try:
                    text = query.get("choices", [""])[0]
                    choices = [int(c) for c in text.split(",") if c]
                    path = path_of({"init": int(query.get("init", ["0"])[0]),
                                    "choices": choices}, len(explorer.compiled.actions))
                    doc = explorer.itf(path)
                except (PathError, ValueError) as err:
                    self._json({"error": str(err)}, 400)
                    return
                self._json(doc, extra={"Content-Disposition":
                                       'attachment; filename="explorer.itf.json"'})
            else:
                self._json({"error": "not found"}, 404)

        def do_POST(self) -> None:  # noqa: N802
            if urlparse(self.path).path != "/api/view":
                self._json({"error": "not found"}, 404)
                return
            size = int(self.headers.get("Content-Length", "0") or 0)
            if size > MAX_BODY:
                self._json({"error": "request too large"}, 413)
                return
            try:
                data = json.loads(self.rfile.read(size) or b"{}")
                path = path_of(data.get("path"), len(explorer.compiled.actions))
                at = data.get("at", len(path.choices))
                if not isinstance(at, int):
                    raise PathError("at must be a step number")
                self._json(explorer.view(path, at))
            except (PathError, ValueError, AttributeError) as err:
                self._json({"error": str(err)}, 400)

    return HTTPServer((host, port), Handler)


__all__ = ["Path", "make_server"]
