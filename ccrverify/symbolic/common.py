"""What the three Z3 engines share: unrollings, counterexamples, result assembly.

A counterexample is read off a satisfying model of an unrolling as *choices*:
the initial state (looked up among the concrete model's initial states) and
the action selector of every step. With symbolic knobs the solver also picks
knob values; the model is then rebuilt with those values as ordinary knobs
(`Concretize`) and the choices are replayed there, so every reported trace is
an ordinary `Trace` of a concrete configuration (DESIGN.md: replay catches
encoding bugs).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ccrverify.compile import CompiledModel
from ccrverify.errors import EvaluationError
from ccrverify.model import SAFETY_KINDS, PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult, Proof, PropertyResult, Stats, Verdict, VerdictKind
from ccrverify.symbolic.encode import Encoding, StateVars, knob_points
from ccrverify.symbolic.z3api import SAT, UNSAT, Assignment, Term
from ccrverify.trace import ReplayError, Trace, evaluation_error, replay

# Knob values chosen by a solver -> the model compiled with them as concrete knobs.
Concretize = Callable[[Mapping[str, int]], CompiledModel]



def fixed(compiled: CompiledModel) -> Concretize:
    """The concretizer of a model without symbolic knobs: itself."""
    def concretize(values: Mapping[str, int]) -> CompiledModel:
        if values:
            raise ValueError("this model has no symbolic knobs")
        return compiled
    return concretize


@dataclass(frozen=True)
class Limits:
    """How far and how long an engine may go. Frozen: vary with dataclasses.replace."""

    depth: int = 20  # BMC unrolling bound
    max_k: int = 12  # k-induction bound
    seconds: float | None = None  # wall-clock budget per property
    # Knob points the search is restricted to (synthesis); None: the whole range.
    points: tuple[Mapping[str, int], ...] | None = None
    counterexamples: int = 1  # BMC: shortest counterexamples per property, distinct ends


@dataclass
class Clock:
    """A wall-clock budget, turned into per-query z3 timeouts."""

    seconds: float | None
    started: float = field(default_factory=time.perf_counter)

    def remaining_ms(self) -> int | None:
        if self.seconds is None:
            return None
        return max(1, int((self.seconds - (time.perf_counter() - self.started)) * 1000))

    def expired(self) -> bool:
        return self.seconds is not None and time.perf_counter() - self.started >= self.seconds

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class Unrolling:
    """States s0, s1, ... and transitions T(s_t, s_t+1) with a selector per step, cached:
    terms live in the context, so fresh solvers reuse them without rebuilding."""

    def __init__(self, encoding: Encoding) -> None:
        self.enc = encoding
        self._trans: list[Term] = []
        self._clean: dict[object, int] = {}  # knob points -> deepest depth shown error free

    def frame(self, t: int) -> StateVars:
        return self.enc.state(f"@{t}")

    def selector(self, t: int) -> Term:
        return self.enc.selector(f"@{t}")

    def trans(self, t: int) -> Term:
        while len(self._trans) <= t:
            i = len(self._trans)
            self._trans.append(self.enc.trans(self.frame(i), self.frame(i + 1), self.selector(i)))
        return self._trans[t]

    def path(self, steps: int, start: int = 0) -> list[Term]:
        return [self.trans(t) for t in range(start, start + steps)]

    def knobs(self, points: Sequence[Mapping[str, int]] | None) -> Term:
        extra = knob_points(self.enc, points) if points is not None else None
        return self.enc.knob_range(extra)

    def reaches_violation(self, prop: str, depth: int,
                          points: Sequence[Mapping[str, int]] | None) -> list[Term]:
        """Init(s0) ∧ T(s0,s1) ∧ ... ∧ ¬P(s_depth): the BMC query of Biere et al.
        P holds on the earlier frames and the model is well defined on every frame:
        callers ask depth by depth from 0 and `error_free` has shown both, so the
        counterexample is a shortest one and the solver's search is pruned."""
        enc, z = self.enc, self.enc.z
        s0 = self.frame(0)
        frames = [self.frame(t) for t in range(depth + 1)]
        return [self.knobs(points), enc.domain(s0), enc.init(s0), *self.path(depth),
                *(enc.prop(prop, f, defined=False) for f in frames[:-1]),
                *(enc.well_defined(f) for f in frames),
                z.not_(enc.prop(prop, frames[-1], defined=False))]

    def error_free(self, depth: int, points: Sequence[Mapping[str, int]] | None,
                   concretize: Concretize, clock: Clock) -> str | None:
        """Check, once per depth and for every property at once, that no state within
        `depth` steps reads something undefined or leaves a domain (an error raises
        `EvaluationError` with its replayed trace); a reason when z3 gave up."""
        key = None if points is None else tuple(tuple(sorted(p.items())) for p in points)
        enc, z = self.enc, self.enc.z
        if enc.always_well_defined():
            return None
        while self._clean.get(key, -1) < depth:
            d = self._clean.get(key, -1) + 1
            frames = [self.frame(t) for t in range(d + 1)]
            query = [self.knobs(points), enc.domain(frames[0]), enc.init(frames[0]),
                     *self.path(d), *(enc.well_defined(f) for f in frames[:-1]),
                     z.not_(enc.well_defined(frames[-1]))]
            answer = z.solve(query, clock.remaining_ms(), preprocess=True)
            if answer.status == SAT and answer.assignment is not None:
                raise error_witness(self, answer.assignment, d, concretize)
            if answer.status != UNSAT:
                return f"z3 gave up at depth {d} (checking that the model is well defined)"
            self._clean[key] = d
        return None


@dataclass(frozen=True)
class Run:
    """What a solver model of an unrolling says: the knob values, the model compiled
    with them, the initial state's index and the action of each step."""

    knobs: dict[str, int]
    compiled: CompiledModel
    init_index: int
    choices: list[int]


def read_run(unrolling: Unrolling, assignment: Assignment, depth: int,
             concretize: Concretize) -> Run:
    enc = unrolling.enc
    knobs = enc.read_knobs(assignment)
    compiled = concretize(knobs)
    start = enc.read_state(assignment, unrolling.frame(0))
    init_index = compiled.init_index(start)
    if init_index is None:
        raise ReplayError(f"the solver's initial state is not an initial state: {start}")
    choices = [assignment.int_value(unrolling.selector(t)) for t in range(depth)]
    return Run(knobs, compiled, init_index, choices)


def error_witness(unrolling: Unrolling, assignment: Assignment, depth: int,
                  concretize: Concretize) -> EvaluationError:
    """The evaluation error a solver model reaches, confirmed by replay."""
    run = read_run(unrolling, assignment, depth, concretize)
    error = evaluation_error(run.compiled, run.init_index, run.choices)
    if run.knobs:
        error.message += " (with " + " ".join(f"{k}={v}" for k, v in sorted(run.knobs.items())
                                             ) + ")"
    return error


@dataclass(frozen=True)
class Witness:
    depth: int
    knobs: dict[str, int]
    trace: Trace


def witness(unrolling: Unrolling, assignment: Assignment, depth: int, prop: str,
            concretize: Concretize) -> Witness:
    """Read a counterexample off a model of `reaches_violation` and replay it."""
    run = read_run(unrolling, assignment, depth, concretize)
    return Witness(depth, run.knobs, replay(run.compiled, run.init_index, run.choices,
                                            violates=prop))


def selected(compiled: CompiledModel, properties: Sequence[str] | None) -> list[str]:
    """The selected properties' names in model order (when None: every safety
    property; a temporal one is decided only through its own encoding)."""
    if properties is None:
        return [p.name for p in compiled.model.properties if p.is_safety]
    return [p.name for p in compiled.model.properties if p.name in properties]


def violated(compiled: CompiledModel, prop: str, w: Witness, seconds: float | None = None,
             found_by: str = "", more: Sequence[Witness] = ()) -> PropertyResult:
    p = compiled.model.property(prop)
    return PropertyResult(prop, p.description, Verdict.violated(), w.trace, p.kind,
                          depth=w.depth, seconds=seconds, found_by=found_by,
                          knob_values=tuple(sorted(w.knobs.items())),
                          more_traces=tuple(m.trace for m in more))


def outcome(compiled: CompiledModel, prop: str, verdict: Verdict, seconds: float | None = None,
            proof: Proof | None = None) -> PropertyResult:
    p = compiled.model.property(prop)
    return PropertyResult(prop, p.description, verdict, None, p.kind, seconds=seconds,
                          proof=proof)


def shown_knobs(compiled: CompiledModel) -> dict[str, Any]:
    """Knob values for results: symbolic knobs as their range ``"lo..hi"``."""
    knobs: dict[str, Any] = dict(compiled.model.knobs)
    for name, (lo, hi) in compiled.model.symbolic_knobs.items():
        knobs[name] = f"{lo}..{hi}"
    return knobs


def check_result(compiled: CompiledModel, engine: str, results: Sequence[PropertyResult],
                 seconds: float, depth: int, method: str, bound: int | None,
                 certificate_text: str | None = None) -> CheckResult:
    complete = all(r.verdict.kind != VerdictKind.UNKNOWN for r in results)
    stats = Stats(depth=depth, seconds=seconds)
    return CheckResult(compiled.model.name, shown_knobs(compiled), engine, stats,
                       tuple(results), complete, (), method=method, bound=bound,
                       certificate_text=certificate_text)


def limits_of(request: Request) -> Limits:
    return Limits(depth=request.depth, max_k=request.max_k, seconds=request.time_limit,
                  counterexamples=request.counterexamples)


def selected_names(compiled: CompiledModel, request: Request) -> list[str]:
    return [p.name for p in request.selected(compiled.model)]


@dataclass(frozen=True)
class SymbolicEngine:
    """A Z3 method as an `Engine`: the request's limits and knob concretizer go to
    the method's own ``check``; its certificate text rides on the result."""

    name: str
    summary: str
    run: Callable[[CompiledModel, Request], CheckResult]
    verdicts: frozenset[VerdictKind]
    shortest: bool
    decides: frozenset[PropertyKind] = SAFETY_KINDS
    counts_states: bool = False
    symbolic_knobs: bool = True

    def check(self, compiled: CompiledModel, request: Request) -> CheckResult:
        return self.run(compiled, request)


def concretizer_of(compiled: CompiledModel, request: Request) -> Concretize:
    return request.concretize or fixed(compiled)
