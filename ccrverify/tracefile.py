"""Saved traces checked against a model (``ccrverify replay``, ``check --replay``).

A trace file (ITF, or ccrverify's own JSON) is turned into choices by running
the model (`ccrverify.itf.choices_of`: every step must be enabled and lead to
the next state), re-run by `trace.replay` like any engine's witness, and then
judged: which selected invariants fail, and at which state first; whether it
ends in a deadlock. Nothing here prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ccrverify.compile import CompiledModel
from ccrverify.itf import ReadTrace, TraceFileError, choices_of, read_documents
from ccrverify.model import PropertyKind
from ccrverify.request import Request
from ccrverify.trace import Trace, replay


@dataclass(frozen=True)
class Judged:
    """One replayed trace and what it breaks."""

    name: str
    trace: Trace
    violations: tuple[tuple[str, int], ...]  # property -> the first state that breaks it
    unjudged: tuple[str, ...] = ()  # selected properties a finite trace cannot decide

    @property
    def violated(self) -> bool:
        return bool(self.violations)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "length": len(self.trace),
                "violates": [{"property": p, "state": i} for p, i in self.violations],
                "not_judged": list(self.unjudged), "trace": self.trace.to_json()}


def load_file(path: str) -> list[ReadTrace]:
    """The traces in a file, or a one-line error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TraceFileError(f"{path}: no such trace file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise TraceFileError(f"{path}: cannot read it ({err})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise TraceFileError(f"{path}:{err.lineno}: not JSON: {err.msg}",
                             hint="a trace file is ITF or ccrverify's JSON") from None
    try:
        return read_documents(data)
    except TraceFileError as err:
        err.message = f"{path}: {err.message}"
        raise


def judge(compiled: CompiledModel, read: ReadTrace, request: Request) -> Judged:
    """Replay one trace on the model and say which selected properties it breaks."""
    init_index, choices = choices_of(compiled, read)
    trace = replace(replay(compiled, init_index, choices), loop=read.loop)
    model = compiled.model
    violations: list[tuple[str, int]] = []
    unjudged: list[str] = []
    for prop in request.selected(model):
        index = model.properties.index(prop)
        if prop.kind == PropertyKind.INVARIANT:
            bad = next((n for n, step in enumerate(trace.steps)
                        if not compiled.holds(list(step.values), index)), None)
            if bad is not None:
                violations.append((prop.name, bad))
        elif prop.kind == PropertyKind.DEADLOCK_FREE:
            last = list(trace.steps[-1].values)
            if read.loop is None and all(compiled.next_values(last, i) is None
                                         for i in range(len(model.actions))):
                violations.append((prop.name, len(trace)))
        else:
            unjudged.append(prop.name)
    ends_in = "; ".join(f"violation of {p}" for p, i in violations if i == len(trace))
    return Judged(read.name, replace(trace, ends_in=ends_in or "no violation"),
                  tuple(violations), tuple(unjudged))


def meta_target(traces: list[ReadTrace]) -> tuple[str | None, dict[str, Any]]:
    """The spec and knob values an ITF file written by ccrverify names."""
    for read in traces:
        source = read.meta.get("source")
        knobs = read.meta.get("knobs")
        if isinstance(source, str) and source:
            return source, dict(knobs) if isinstance(knobs, dict) else {}
    return None, {}


__all__ = ["Judged", "TraceFileError", "judge", "load_file", "meta_target"]
