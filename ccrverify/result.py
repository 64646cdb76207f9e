"""Engine-independent results: verdicts, statistics, per-property outcomes.

Only `holds` is a proof (an exhaustive enumeration, or an inductive invariant
that an independent check accepted). `bounded(k)` means no violation within
k steps; `unknown` carries the reason (a budget, an interruption).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ccrverify.trace import Trace

HOLDS, VIOLATED, BOUNDED, UNKNOWN = "holds", "violated", "bounded", "unknown"


@dataclass(frozen=True)
class Verdict:
    kind: str
    bound: int | None = None
    reason: str = ""

    @staticmethod
    def holds(reason: str = "") -> Verdict:
        return Verdict(HOLDS, reason=reason)

    @staticmethod
    def violated() -> Verdict:
        return Verdict(VIOLATED)

    @staticmethod
    def bounded(k: int) -> Verdict:
        return Verdict(BOUNDED, bound=k, reason=f"no violation within {k} steps")

    @staticmethod
    def unknown(reason: str) -> Verdict:
        return Verdict(UNKNOWN, reason=reason)

    def __str__(self) -> str:
        if self.kind == BOUNDED:
            return f"bounded({self.bound})"
        return self.kind


@dataclass(frozen=True)
class Stats:
    distinct_states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0
    peak_memory_bytes: int = 0

    @property
    def states_per_second(self) -> float:
        return self.distinct_states / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "distinct_states": self.distinct_states,
            "transitions": self.transitions,
            "depth": self.depth,
            "seconds": round(self.seconds, 4),
            "states_per_second": round(self.states_per_second, 1),
            "peak_memory_bytes": self.peak_memory_bytes,
        }


@dataclass(frozen=True)
class PropertyResult:
    name: str
    description: str
    verdict: Verdict
    trace: Trace | None = None
    details: dict[str, Any] = field(default_factory=dict)  # engine extras: k, certificate...

    @property
    def trace_length(self) -> int | None:
        return None if self.trace is None else len(self.trace)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "verdict": str(self.verdict),
            "trace_length": self.trace_length,
            "trace": None if self.trace is None else self.trace.to_json(),
        }
        if self.verdict.reason:
            out["reason"] = self.verdict.reason
        out.update(self.details)
        return out


@dataclass(frozen=True)
class CheckResult:
    model: str
    knobs: dict[str, Any]
    engine: str
    stats: Stats
    properties: tuple[PropertyResult, ...]
    complete: bool
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def property(self, name: str) -> PropertyResult:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(name)

    def exit_status(self) -> int:
        """0 all hold, 1 a violation, 3 incomplete or undecided."""
        kinds = {p.verdict.kind for p in self.properties}
        if VIOLATED in kinds:
            return 1
        if not self.complete or kinds - {HOLDS}:
            return 3
        return 0

    def to_json(self) -> dict[str, Any]:
        out = {
            "model": self.model,
            "knobs": dict(sorted(self.knobs.items())),
            "engine": self.engine,
            "stats": self.stats.to_json(),
            "properties": [p.to_json() for p in self.properties],
            "complete": self.complete,
            "notes": list(self.notes),
        }
        out.update(self.extra)
        return out
