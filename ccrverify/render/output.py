"""The output-format choice of every command that prints a check result, in one
place: JSON (``--json``), the verdicts as JSON (``--trace-format json``), or text
with traces as tables or Markdown."""

from __future__ import annotations

import json

from ccrverify.render.text import render_result
from ccrverify.result import CheckResult

FORMATS = ("table", "markdown", "json")


def render(result: CheckResult, as_json: bool = False, trace_format: str = "table",
           source: str = "", clock: str = "", full: bool = False, traces: bool = True) -> str:
    if as_json:
        return json.dumps(result.to_json(), indent=2)
    if trace_format == "json":
        return json.dumps([p.to_json() for p in result.properties], indent=2)
    return render_result(result, source, clock, trace_format, full, traces)
