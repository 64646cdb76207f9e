"""Engine-independent results: verdicts, statistics, per-property outcomes.

Only `holds` is a proof (an exhaustive enumeration, or an inductive invariant
that an independent check accepted). `bounded(k)` means no violation within
k steps; `unknown` carries the reason (a budget, an interruption). What an
engine knows beyond the verdict (a proof's invariant, a bound, the coverage
of random runs) is a typed field, rendered by `ccrverify.render` and written
to JSON under the same keys as always.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ccrverify.model import PropertyKind
from ccrverify.trace import Trace


class VerdictKind(StrEnum):
    HOLDS = "holds"
    VIOLATED = "violated"
    BOUNDED = "bounded"
    UNKNOWN = "unknown"


HOLDS, VIOLATED, BOUNDED, UNKNOWN = (VerdictKind.HOLDS, VerdictKind.VIOLATED,
                                     VerdictKind.BOUNDED, VerdictKind.UNKNOWN)


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
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
        return self.kind.value


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
class Proof:
    """How a symbolic engine decided a property (or tried to)."""

    invariant: tuple[str, ...] = ()  # the lemmas of an inductive invariant, model names
    k: int | None = None  # k-induction: the k that worked
    certificate_check: tuple[tuple[str, str], ...] = ()  # obligation -> solver answer
    regions: tuple[str, ...] = ()  # mined: one line per region proof
    points: tuple[tuple[str, int], ...] = ()  # mined: verdict -> knob points
    calls: tuple[tuple[str, int], ...] = ()  # mined: solver calls by kind

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.invariant:
            out["invariant"] = list(self.invariant)
        if self.k is not None:
            out["k"] = self.k
        if self.certificate_check:
            out["certificate_check"] = dict(self.certificate_check)
        if self.points:
            out["points"] = dict(self.points)
        if self.regions:
            out["regions"] = list(self.regions)
        if self.calls:
            out["calls"] = dict(self.calls)
        return out


@dataclass(frozen=True)
class Discovery:
    """When random exploration first found a violation, and by how long a run."""

    length: int
    after_steps: int
    after_seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"length": self.length, "after_steps": self.after_steps,
                "after_seconds": round(self.after_seconds, 3)}


@dataclass(frozen=True)
class PropertyResult:
    name: str
    description: str
    verdict: Verdict
    trace: Trace | None = None
    kind: PropertyKind = PropertyKind.INVARIANT
    depth: int | None = None  # symbolic engines: the unrolling depth of the counterexample
    seconds: float | None = None  # time spent on this property, where measured apart
    knob_values: tuple[tuple[str, Any], ...] = ()  # symbolic knobs of the counterexample
    found_by: str = ""  # which part of a combined method found the counterexample
    proof: Proof | None = None
    first_found: Discovery | None = None  # explore
    shrunk_length: int | None = None  # explore: before the deletion pass
    ticks: int | str | None = None  # response: the worst case in clock ticks, or "never"
    fairness: tuple[str, ...] = ()  # liveness: the fairness assumptions used
    # --counterexamples N: further shortest counterexamples, each ending in a
    # different state (the first is `trace`).
    more_traces: tuple[Trace, ...] = ()

    @property
    def trace_length(self) -> int | None:
        return None if self.trace is None else len(self.trace)

    @property
    def traces(self) -> tuple[Trace, ...]:
        """Every counterexample found for this property, the first one first."""
        return () if self.trace is None else (self.trace, *self.more_traces)

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
        if self.depth is not None:
            out["depth"] = self.depth
        if self.found_by:
            out["found_by"] = self.found_by
        if self.proof is not None:
            out.update(self.proof.to_json())
        if self.seconds is not None:
            out["seconds"] = round(self.seconds, 3)
        if self.knob_values:
            out["knob_values"] = dict(self.knob_values)
        if self.first_found is not None:
            out["first_found"] = self.first_found.to_json()
        if self.shrunk_length is not None:
            out["shrunk_length"] = self.shrunk_length
        if self.ticks is not None:
            out["ticks"] = self.ticks
        if self.fairness:
            out["fairness"] = list(self.fairness)
        if self.more_traces:
            out["more_traces"] = [t.to_json() for t in self.more_traces]
        return out


@dataclass(frozen=True)
class Coverage:
    """What random exploration covered (it proves nothing: this is its evidence)."""

    runs: int
    steps: int
    seconds: float
    distinct_states: int
    longest_run: int
    action_counts: tuple[tuple[str, int], ...]  # per action kind, in model order
    never_fired_instances: tuple[str, ...]
    swarm: bool
    seed: int | None
    searches: int  # Hypothesis searches: one per batch of still-undecided properties

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else 0.0

    @property
    def never_fired(self) -> tuple[str, ...]:
        return tuple(name for name, count in self.action_counts if count == 0)

    def describe(self) -> str:
        """One line for an `unknown` verdict: what the runs covered."""
        text = (f"no violation in {self.runs:,} random runs ({self.steps:,} steps, "
                f"{self.distinct_states:,} distinct states)")
        if self.never_fired:
            text += "; never fired: " + ", ".join(self.never_fired)
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "steps": self.steps,
            "seconds": round(self.seconds, 4),
            "steps_per_second": round(self.steps_per_second, 1),
            "distinct_states": self.distinct_states,
            "longest_run": self.longest_run,
            "action_counts": dict(self.action_counts),
            "never_fired": list(self.never_fired),
            "never_fired_instances": list(self.never_fired_instances),
            "swarm": self.swarm,
            "seed": self.seed,
            "searches": self.searches,
        }


@dataclass(frozen=True)
class CheckResult:
    model: str
    knobs: dict[str, Any]
    engine: str
    stats: Stats
    properties: tuple[PropertyResult, ...]
    complete: bool
    notes: tuple[str, ...] = ()
    backend: str | None = None  # explicit: which enumerator ran
    method: str | None = None  # symbolic: bmc, kind, pdr, mined or auto
    bound: int | None = None  # symbolic: the depth or k searched up to
    certificate: str | None = None  # symbolic: where the proof was written
    certificate_text: str | None = field(default=None, repr=False, compare=False)
    coverage: Coverage | None = None  # explore

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
        out: dict[str, Any] = {
            "model": self.model,
            "knobs": dict(sorted(self.knobs.items())),
            "engine": self.engine,
            "stats": self.stats.to_json(),
            "properties": [p.to_json() for p in self.properties],
            "complete": self.complete,
            "notes": list(self.notes),
        }
        if self.backend is not None:
            out["backend"] = self.backend
        if self.method is not None:
            out.update(method=self.method, bound=self.bound, certificate=self.certificate)
        if self.coverage is not None:
            out["coverage"] = self.coverage.to_json()
        return out
