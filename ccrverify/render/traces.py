"""Counterexamples as documents of their own: ITF (Apalache, Quint) or
ccrverify's trace JSON, one per trace, for stdout or for files (``--out``)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ccrverify.itf import trace_to_itf
from ccrverify.model import Model
from ccrverify.result import CheckResult


def trace_documents(result: CheckResult, model: Model, source: str, fmt: str = "itf"
                    ) -> list[tuple[str, str]]:
    """(property name, document text) per counterexample, in the result's order."""
    out = []
    for p in result.properties:
        found = p.traces
        for n, trace in enumerate(found, 1):
            if fmt == "itf":
                which = f" (counterexample {n} of {len(found)})" if len(found) > 1 else ""
                doc = trace_to_itf(trace, model, source,
                                   f"{model.name}: counterexample to {p.name}{which}, "
                                   f"{len(trace)} actions, ends in {trace.ends_in}")
                out.append((p.name, dumps_itf(doc)))
                continue
            doc = trace.to_json()
            out.append((p.name, json.dumps(doc, indent=2)))
    return out


def dumps_itf(doc: dict[str, Any], indent: str = "") -> str:
    """An ITF document as JSON that reads well: one state per line."""
    lines = [indent + "{"]
    body = [f'{indent}  "#meta": {json.dumps(doc["#meta"], ensure_ascii=False)}',
            f'{indent}  "vars": {json.dumps(doc["vars"])}',
            f'{indent}  "states": [\n' + ",\n".join(
                f"{indent}    {json.dumps(state, separators=(',', ':'), ensure_ascii=False)}"
                for state in doc["states"]) + f"\n{indent}  ]"]
    if "loop" in doc:
        body.append(f'{indent}  "loop": {int(doc["loop"])}')
    lines.append(",\n".join(body))
    lines.append(indent + "}")
    return "\n".join(lines)


def itf_stdout(result: CheckResult, model: Model, source: str) -> str:
    """One ITF document when there is exactly one counterexample; otherwise a JSON
    list of them (empty when every property holds)."""
    documents = [text for _, text in trace_documents(result, model, source)]
    if len(documents) == 1:
        return documents[0]
    if not documents:
        return "[]"
    return "[\n" + ",\n".join(documents) + "\n]"


def trace_file_names(out: Path, properties: Sequence[str]) -> list[Path]:
    """`out` itself for one trace; else ``stem-PROPERTY-N.suffix`` per trace."""
    if len(properties) == 1:
        return [out]
    name = out.name
    suffix = ".itf.json" if name.endswith(".itf.json") else out.suffix
    stem = name[: len(name) - len(suffix)] if suffix else name
    counts: dict[str, int] = {}
    paths = []
    for prop in properties:
        counts[prop] = counts.get(prop, 0) + 1
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", prop)
        paths.append(out.with_name(f"{stem}-{safe}-{counts[prop]}{suffix}"))
    return paths
