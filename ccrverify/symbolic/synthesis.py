"""Knob synthesis: exactly which knob values in a box keep a property.

The knobs of the box are symbolic in one encoding; U is the set of points not
yet decided. Two phases:

1. Refute. BMC restricted to U (a knob constraint) finds a shortest
   counterexample at some point. Its action sequence is *generalised*: with
   the actions fixed, the solver enumerates every point of U where the same
   sequence reaches a violation (nearly propagation, so cheap); each of those
   is replayed on its own concrete model and leaves U as unsafe. Since the
   depth found is the shortest over all of U, the next search resumes at that
   depth. This repeats until BMC finds nothing a little beyond the deepest
   counterexample so far.
2. Prove. Spacer proves P at one point p of U, on the model with p's values
   as concrete knobs (several times faster than with knobs symbolic). The
   conjuncts of its invariant, with each constant also offered as a knob plus
   an offset, are then reused: Houdini keeps their largest inductive subset
   for all of U at once, or failing that for each half of U, recursively;
   wherever that subset implies P, those points are proved together, with a
   certificate checked like any other. A point Spacer finds unsafe goes back
   to BMC, alone and without a depth limit.

So the number of Spacer and BMC calls grows with the number of distinct
counterexample *shapes* and invariant *families*, not with the number of
points: a box of a hundred points costs a handful of proofs and searches plus
cheap Houdini and generalisation queries. (Counterexample-guided in the
spirit of CEGIS, Solar-Lezama 2006; proof reuse by Houdini, Flanagan and
Leino 2001; IC3 parameter synthesis, Cimatti, Griggio, Mover, Tonetta 2013,
computes the same set by a different route.)

The safe set is then described by the simplest linear constraint that fits it
exactly, searched among ``a·x + b·y <= c`` with small coefficients and
conjunctions or disjunctions of two such atoms (`describe`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ccrverify.compile import CompiledModel
from ccrverify.symbolic import bmc, spacer
from ccrverify.symbolic.certificate import check as check_certificate
from ccrverify.symbolic.certificate import invariant_certificate
from ccrverify.symbolic.common import Clock, Concretize, Limits, Unrolling, Witness, witness
from ccrverify.symbolic.encode import Encoding, knob_points
from ccrverify.symbolic.houdini import inductive_subset
from ccrverify.symbolic.z3api import SAT

# The refute phase stops when BMC finds nothing REFUTE_SLACK steps beyond the
# deepest counterexample so far (and never before REFUTE_MIN steps); deeper
# counterexamples are still found, by Spacer, in the prove phase.
REFUTE_SLACK = 2
REFUTE_MIN = 6

Point = tuple[tuple[str, int], ...]  # sorted (knob, value) pairs: hashable


@dataclass(frozen=True)
class Region:
    """Points proved safe together by one certified inductive invariant."""

    points: tuple[Point, ...]
    lemmas: int
    certificate_valid: bool


@dataclass(frozen=True)
class Counterexample:
    point: Point
    length: int
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Synthesis:
    property: str
    box: dict[str, tuple[int, int]]
    verdicts: dict[Point, str]  # "holds" | "violated" | "unknown"
    regions: tuple[Region, ...]
    counterexamples: tuple[Counterexample, ...]
    constraint: str | None
    seconds: float
    calls: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per kind of call

    def to_json(self) -> dict[str, Any]:
        return {
            "property": self.property,
            "box": {k: [lo, hi] for k, (lo, hi) in sorted(self.box.items())},
            "points": [{"knobs": dict(p), "verdict": v} for p, v in sorted(self.verdicts.items())],
            "constraint": self.constraint,
        }


def box_points(box: Mapping[str, tuple[int, int]]) -> list[Point]:
    names = sorted(box)
    ranges = [range(box[n][0], box[n][1] + 1) for n in names]
    return [tuple(zip(names, values, strict=True)) for values in itertools.product(*ranges)]


class _Search:
    """The state of one synthesis run: verdicts so far, proofs, counterexamples."""

    def __init__(self, compiled: CompiledModel, prop: str, concretize: Concretize,
                 seconds: float | None) -> None:
        self.enc = Encoding(compiled)
        self.unrolling = Unrolling(self.enc)
        self.prop = prop
        self.concretize = concretize
        self.clock = Clock(seconds)
        self.verdicts: dict[Point, str] = {}
        self.regions: list[Region] = []
        self.cexs: list[Counterexample] = []
        self.calls = {"spacer": 0, "bmc": 0, "generalise": 0, "houdini": 0}
        self.timings = dict.fromkeys(self.calls, 0.0)
        self.pool: list[Any] = []  # the lemmas (and variants) of every proof so far
        self.depth = 0  # no point of the undecided set has a shorter counterexample

    def decide(self, points: list[Point]) -> None:
        undecided = list(points)
        deepest = 0
        while undecided and not self.clock.expired():
            bad = self.refute(undecided, max(deepest + REFUTE_SLACK, REFUTE_MIN))
            if not bad:
                break
            deepest = self.depth
            undecided = [p for p in undecided if p not in bad]
        while undecided and not self.clock.expired():
            undecided = self.prove_from(undecided[0], undecided)

    def prove_from(self, point: Point, undecided: list[Point]) -> list[Point]:
        """Prove `point` (by earlier lemmas if they suffice, else by Spacer), reuse the
        proof on the rest of `undecided`; return what is left undecided."""
        rest = [p for p in undecided if p != point]
        if self.pool and self.houdini(self.pool, [point]):
            return rest  # the lemmas of earlier proofs, together, prove this point too
        self.calls["spacer"] += 1
        concrete = Encoding(self.concretize(dict(point)), self.enc.z)
        started = time.perf_counter()
        found = spacer.prove(concrete, self.prop, self.clock)
        self.timings["spacer"] += time.perf_counter() - started
        if found is None:  # a counterexample deeper than the refute phase looked
            self.depth = 0
            bad = self.refute(undecided, spacer.CEX_DEPTH)
            if not bad:
                self.verdicts[point] = "unknown"
                return rest
            return [p for p in undecided if p not in bad]
        if isinstance(found, str) or not found.check.valid:
            self.verdicts[point] = "unknown"
            return rest
        self.verdicts[point] = "holds"
        self.regions.append(Region((point,), len(found.lemmas), True))
        lemmas = self.parametric(self.enc.z.conjuncts(found.invariant), point)
        self.pool += lemmas
        proved = self.reuse(lemmas, rest) if rest else set()
        return [p for p in rest if p not in proved]

    def parametric(self, lemmas: list[Any], point: Point) -> list[Any]:
        """Each lemma, plus variants where a constant c becomes ``knob + (c - value)``
        for each knob of the box: a lemma ``lease <= 2`` found at witness_lease = 2
        also proposes ``lease <= witness_lease``, which Houdini may keep for every
        point. This is what lets one proof cover a region."""
        z = self.enc.z
        out = list(lemmas)
        for lemma in lemmas:
            for c in sorted(z.int_literals(lemma)):
                for knob, value in point:
                    out.append(z.replace_literal(lemma, c, self.enc.knobs[knob] + (c - value)))
        return out

    def reuse(self, lemmas: list[Any], points: list[Point]) -> set[Point]:
        """The points where a Houdini subset of `lemmas` proves P (certificates checked):
        all of them under one invariant if possible, else each half on its own."""
        if self.clock.expired():
            return set()
        together = self.houdini(lemmas, points)
        if together or len(points) == 1:
            return together
        half = len(points) // 2
        return self.reuse(lemmas, points[:half]) | self.reuse(lemmas, points[half:])

    def houdini(self, lemmas: list[Any], points: list[Point]) -> set[Point]:
        self.calls["houdini"] += 1
        started = time.perf_counter()
        try:
            return self._houdini(lemmas, points)
        finally:
            self.timings["houdini"] += time.perf_counter() - started

    def _houdini(self, lemmas: list[Any], points: list[Point]) -> set[Point]:
        constraint = knob_points(self.enc, [dict(p) for p in points])
        invariant = inductive_subset(self.enc, lemmas, self.prop, constraint,
                                     self.clock.remaining_ms())
        if invariant is None:
            return set()
        certificate = invariant_certificate(self.enc, {self.prop: invariant}, (), constraint)
        if not check_certificate(certificate).valid:
            return set()
        for p in points:
            self.verdicts[p] = "holds"
        self.regions.append(Region(tuple(points), len(self.enc.z.conjuncts(invariant)), True))
        return set(points)

    def refute(self, points: list[Point], depth: int) -> set[Point]:
        """A shortest counterexample among `points` within `depth` steps, generalised
        to every point of `points` where the same actions violate P."""
        limits = Limits(points=tuple(dict(p) for p in points))
        self.calls["bmc"] += 1
        started = time.perf_counter()
        first = bmc.shortest_violation(self.unrolling, self.prop, depth, self.concretize,
                                       limits, self.clock, start=min(self.depth, depth))
        self.timings["bmc"] += time.perf_counter() - started
        if not isinstance(first, Witness):
            return set()
        self.depth = first.depth
        started = time.perf_counter()
        choices = first.trace.choices
        pinned = [self.unrolling.selector(t) == c for t, c in enumerate(choices)]
        remaining = [p for p in points if p != _point(first.knobs)]
        found = [first]
        while remaining:
            self.calls["generalise"] += 1
            query = self.unrolling.reaches_violation(
                self.prop, first.depth, [dict(p) for p in remaining]) + pinned
            answer = self.enc.z.solve(query, self.clock.remaining_ms(), preprocess=True)
            if answer.status != SAT or answer.assignment is None:
                break
            w = witness(self.unrolling, answer.assignment, first.depth, self.prop,
                        self.concretize)
            found.append(w)
            remaining.remove(_point(w.knobs))
        self.timings["generalise"] += time.perf_counter() - started
        bad = set()
        for w in found:
            point = _point(w.knobs)
            bad.add(point)
            self.verdicts[point] = "violated"
            self.cexs.append(Counterexample(point, len(w.trace), tuple(w.trace.labels)))
        return bad


def _point(knobs: Mapping[str, int]) -> Point:
    return tuple(sorted(knobs.items()))


def synthesize(compiled: CompiledModel, prop: str, concretize: Concretize,
               seconds: float | None = None) -> Synthesis:
    """Decide every point of the box given by the compiled model's symbolic knobs."""
    box = {k: (lo, hi) for k, (lo, hi) in compiled.model.symbolic_knobs.items()}
    points = box_points(box)
    search = _Search(compiled, prop, concretize, seconds)
    search.decide(points)
    verdicts = {p: search.verdicts.get(p, "unknown") for p in points}
    safe = {p for p, v in verdicts.items() if v == "holds"}
    constraint = describe(points, safe) if "unknown" not in verdicts.values() else None
    return Synthesis(prop, box, verdicts, tuple(search.regions), tuple(search.cexs),
                     constraint, search.clock.elapsed(), dict(search.calls),
                     {k: round(v, 2) for k, v in search.timings.items()})


# -- describing the safe set ------------------------------------------------------------
@dataclass(frozen=True)
class _Atom:
    text: str
    cost: int
    mask: int


def describe(points: Sequence[Point], safe: set[Point]) -> str | None:
    """The simplest constraint over the knobs that holds exactly at the safe points."""
    target = sum(1 << i for i, p in enumerate(points) if p in safe)
    everything = (1 << len(points)) - 1
    if target == everything:
        return "true"
    if target == 0:
        return "false"
    atoms = sorted(_atoms(points), key=lambda a: (a.cost, a.text))
    for atom in atoms:
        if atom.mask == target:
            return atom.text
    best: tuple[int, str] | None = None
    for a, b in itertools.combinations(atoms, 2):
        if a.mask & b.mask == target:
            candidate = (a.cost + b.cost, f"{a.text} ∧ {b.text}")
            best = candidate if best is None or candidate < best else best
        elif a.mask | b.mask == target:
            candidate = (a.cost + b.cost + 1, f"{a.text} ∨ {b.text}")
            best = candidate if best is None or candidate < best else best
    return best[1] if best else None


def _atoms(points: Sequence[Point]) -> list[_Atom]:
    """``a·x + b·y <= c`` and ``>= c`` for knobs x, y and coefficients in -2..2."""
    if not points:
        return []
    names = [k for k, _ in points[0]]
    values = [dict(p) for p in points]
    atoms = []
    pairs = [(x, None) for x in names] + list(itertools.combinations(names, 2))
    for x, y in pairs:
        for a, b in ([(1, 0)] if y is None else
                     [(a, b) for a in (1, 2) for b in (-2, -1, 1, 2)] +
                     [(1, b) for b in (-2, 2)] + [(2, -1), (2, 1)]):
            sums = [a * v[x] + (b * v[y] if y else 0) for v in values]
            for c in sorted(set(sums)):
                for op in ("<=", ">="):
                    mask = sum(1 << i for i, s in enumerate(sums)
                               if (s <= c if op == "<=" else s >= c))
                    cost = abs(a) + abs(b) + (0 if c == 0 else 1)
                    atoms.append(_Atom(_linear(x, a, y, b, op, c), cost, mask))
    return atoms


def _linear(x: str, a: int, y: str | None, b: int, op: str, c: int) -> str:
    """``a·x + b·y op c``, written with y moved right when that reads better:
    ``x <= y`` rather than ``x - y <= 0``."""
    left = f"{a}·{x}" if a != 1 else x
    if y is None or b == 0:
        return f"{left} {op} {c}"
    if b < 0:  # a·x - |b|·y op c  ->  a·x op |b|·y + c
        right = y if b == -1 else f"{-b}·{y}"
        if c:
            right += f" + {c}" if c > 0 else f" - {-c}"
        return f"{left} {op} {right}"
    term = y if b == 1 else f"{b}·{y}"
    return f"{left} + {term} {op} {c}"
