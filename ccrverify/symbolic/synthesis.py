"""Knob synthesis: exactly which knob values in a box keep a property.

The knobs of the box are symbolic in one encoding; U is the set of points not
yet decided. Three phases:

1. Refute. BMC restricted to U (a knob constraint) finds a shortest
   counterexample at some point. Its action sequence is *generalised*: with
   the actions fixed, the solver enumerates every point of U where the same
   sequence reaches a violation (nearly propagation, so cheap); each of those
   is replayed on its own concrete model and leaves U as unsafe. Since the
   depth found is the shortest over all of U, the next search resumes at that
   depth. This repeats until BMC finds nothing one step beyond the deepest
   counterexample so far.
2. Prove a region from mined lemmas. The explicit engine enumerates the
   reachable states of a few sample points spread over U (a fraction of a
   second each); candidate lemmas of a few shapes are mined from them, each
   constant also offered as a knob plus an offset (`mining.py`), and kept if
   true in every sample. Houdini then keeps their largest inductive subset
   for all of U at once, with the knobs symbolic (`houdini.py`). If P
   survives, one certificate, checked like any other, proves every point of
   U. If not, the points where P was broken become samples (a sample where P
   fails is a counterexample, found by the explicit engine); after a few
   rounds a region that resists is halved.
3. Whatever is left is proved point by point: Spacer proves P at one point,
   the conjuncts of its invariant (constants also as knob plus offset) are
   reused on the rest by Houdini; a point Spacer finds unsafe goes back to
   BMC without a depth limit.

So the cost grows with the number of counterexample *shapes* and invariant
*families*, not with the number of points, and no point is ever checked on
its own by Z3 unless the region methods fail for it. On CCR's 100-point box
renew_grace x witness_lease in 1..10, 10 BMC searches refute 45 points and one
Houdini proof covers the other 55, where Spacer alone needs minutes per point
(benchmarks/synthesis.py). References: CEGIS (Solar-Lezama
2006); Houdini (Flanagan and Leino 2001); data-driven invariants (Daikon,
Ernst et al. 2001; ICE, Garg et al. 2014); IC3 parameter synthesis (Cimatti,
Griggio, Mover, Tonetta 2013) computes the same set by a different route.

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
from ccrverify.explicit.engine import check as explicit_check
from ccrverify.explicit.vector import fits as vector_fits
from ccrverify.explicit.vector import reachable
from ccrverify.request import Request
from ccrverify.result import (
    HOLDS,
    UNKNOWN,
    VIOLATED,
    CheckResult,
    Proof,
    PropertyResult,
    Verdict,
    VerdictKind,
)
from ccrverify.symbolic import bmc, spacer
from ccrverify.symbolic.certificate import check as check_certificate
from ccrverify.symbolic.certificate import invariant_certificate
from ccrverify.symbolic.common import (
    Clock,
    Concretize,
    Limits,
    SymbolicEngine,
    Unrolling,
    Witness,
    check_result,
    concretizer_of,
    limits_of,
    outcome,
    selected,
    selected_names,
    witness,
)
from ccrverify.symbolic.encode import Encoding, knob_points
from ccrverify.symbolic.houdini import Houdini, inductive_subset
from ccrverify.symbolic.mining import Lemma, Miner, Sample, lemma_holds, to_term
from ccrverify.symbolic.temporal import DECIDES, with_temporal
from ccrverify.symbolic.z3api import SAT
from ccrverify.trace import Trace

NAME = "z3-mined"
# The refute phase stops when BMC finds nothing REFUTE_SLACK steps beyond the
# deepest counterexample so far (and never before REFUTE_MIN steps); deeper
# counterexamples are still found, by the samples or Spacer, when proving.
REFUTE_SLACK = 1
REFUTE_MIN = 6
# Mined proofs: sample points per region, rounds of adding the points where the
# lemmas fall short, and the most states a sample may have (beyond: Spacer only).
SAMPLES = 24
SAMPLE_ROUNDS = 3
SAMPLE_STATES = 1_000_000

Point = tuple[tuple[str, int], ...]  # sorted (knob, value) pairs: hashable


@dataclass(frozen=True)
class Region:
    """Points proved safe together by one certified inductive invariant."""

    points: tuple[Point, ...]
    lemmas: int
    certificate_valid: bool
    method: str = ""  # how the invariant was found
    certificate: str = ""  # SMT-LIB 2 text; every query answers unsat


@dataclass(frozen=True)
class Counterexample:
    point: Point
    length: int
    labels: tuple[str, ...]
    trace: Trace | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Synthesis:
    property: str
    box: dict[str, tuple[int, int]]
    verdicts: dict[Point, VerdictKind]
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
        self.verdicts: dict[Point, VerdictKind] = {}
        self.regions: list[Region] = []
        self.cexs: list[Counterexample] = []
        self.calls = {"bmc": 0, "generalise": 0, "explicit": 0, "mining": 0, "houdini": 0,
                      "certificate": 0, "spacer": 0}
        self.timings = dict.fromkeys(self.calls, 0.0)
        self.pool: list[Any] = []  # the lemmas (and variants) of every proof so far
        self.samples: dict[Point, Sample | Counterexample | None] = {}  # explicit runs
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
        undecided = self.prove_mined(undecided)
        while undecided and not self.clock.expired():
            undecided = self.prove_from(undecided[0], undecided)

    # -- proofs from mined lemmas -----------------------------------------------------
    def prove_mined(self, undecided: list[Point]) -> list[Point]:
        """Prove whole regions of `undecided` at once from lemmas mined in the
        reachable states of a few sample points; return the points left over (for
        Spacer). A region that resists is halved, down to single points."""
        if not undecided or not mining_applies(self.enc, self.concretize, undecided[0]):
            return undecided
        regions, left = [undecided], []
        while regions and not self.clock.expired():
            region = regions.pop()
            rest = self.mined_proof(region)
            if not rest:
                continue
            if len(rest) == 1:
                left += rest
            else:
                half = len(rest) // 2
                regions += [rest[half:], rest[:half]]
        return left + [p for r in regions for p in r]

    def mined_proof(self, region: list[Point]) -> list[Point]:
        """One Houdini proof for all of `region` (the points still undecided after
        it are returned). Samples are spread over the region; a point where the
        lemmas fail to prove P becomes a sample too, up to SAMPLE_ROUNDS times."""
        samples: dict[Point, Sample] = {}
        for p in region:
            known = self.samples.get(p)
            if isinstance(known, Sample):
                samples[p] = known
        wanted = spread(region, SAMPLES)
        lemmas: list[Lemma] | None = None
        houdini: Houdini | None = None
        ids: dict[int, Lemma] = {}
        for _ in range(SAMPLE_ROUNDS):
            for point in wanted:
                if point not in samples and point in region:
                    sample = self.sample(point)
                    if sample is None:
                        return region  # too large to enumerate: leave it to Spacer
                    if isinstance(sample, Counterexample):
                        assert sample.trace is not None
                        bad = self.spread_counterexample(point, sample.trace, region)
                        region = [p for p in region if p not in bad]
                        houdini = None  # the region changed: its solvers are stale
                        continue
                    samples[point] = sample
            if not region or not samples:
                return region
            started = time.perf_counter()
            self.calls["mining"] += 1
            if lemmas is None:
                miner = Miner(self.enc.model)
                largest = max(samples.values(), key=lambda s: len(s.states))
                lemmas = list(dict.fromkeys(miner.mine(largest)))
            lemmas = [m for m in lemmas if all(lemma_holds(m, s) for s in samples.values())]
            self.timings["mining"] += time.perf_counter() - started
            started = time.perf_counter()
            self.calls["houdini"] += 1
            constraint = knob_points(self.enc, [dict(p) for p in region])
            if houdini is None:
                houdini = Houdini(self.enc, constraint)
                cur = self.enc.state("")
                domain = houdini.add(self.enc.z.conjuncts(self.enc.domain(cur)))
                target = houdini.add([self.enc.prop(self.prop, cur)])[0]
                ids = dict(zip(houdini.add([to_term(self.enc, m, cur) for m in lemmas]),
                               lemmas, strict=True))
            keep = set(lemmas)
            wanted_ids = set(domain) | {target} | {i for i, m in ids.items() if m in keep}
            alive = houdini.run(wanted_ids, self.clock.remaining_ms())
            self.timings["houdini"] += time.perf_counter() - started
            if alive is None:
                return region
            if target in alive:
                invariant = self.enc.z.and_([houdini.lemmas[i] for i in sorted(alive)])
                method = f"lemmas mined from {len(samples)} samples, Houdini"
                return [] if self.certify(invariant, region, constraint, method) else region
            breakers = houdini.breakers.get(target, [])
            wanted = [_point(self.enc.read_knobs(m)) for m in breakers]
            if all(p in samples for p in wanted):
                return region
        return region

    def sample(self, point: Point) -> Sample | Counterexample | None:
        """The reachable states of one point (explicit engine, cached); a shortest
        counterexample (not yet recorded) if the property fails there; None if
        there are more than SAMPLE_STATES."""
        if point in self.samples:
            return self.samples[point]
        started = time.perf_counter()
        self.calls["explicit"] += 1
        try:
            concrete = self.concretize(dict(point))
            found = reachable(concrete, SAMPLE_STATES)
            outcome: Sample | Counterexample | None = None
            if found is not None and self.prop in found.failing:
                only = Request(properties=(self.prop,), check_deadlock=False)
                trace = explicit_check(concrete, only).property(self.prop).trace
                if trace is not None:
                    outcome = Counterexample(point, len(trace), tuple(trace.labels), trace)
            elif found is not None:
                outcome = Sample(dict(point), found.states)
            self.samples[point] = outcome
            return outcome
        finally:
            self.timings["explicit"] += time.perf_counter() - started

    def certify(self, invariant: Any, region: list[Point], constraint: Any, method: str) -> bool:
        """Check the invariant's certificate for the region; record the proof if valid."""
        self.calls["certificate"] += 1
        started = time.perf_counter()
        where = "; ".join(" ".join(f"{k}={v}" for k, v in p) for p in region)
        comments = [f"ccrverify synthesis certificate: {self.enc.model.name}, {self.prop}",
                    f"invariant found by {method}", f"points: {where}",
                    "valid when every (check-sat) below answers unsat; re-check with: z3 FILE"]
        certificate = invariant_certificate(self.enc, {self.prop: invariant}, comments,
                                            constraint)
        valid = check_certificate(certificate).valid
        self.timings["certificate"] += time.perf_counter() - started
        if valid:
            for p in region:
                self.verdicts[p] = HOLDS
            self.regions.append(Region(tuple(region), len(self.enc.z.conjuncts(invariant)),
                                       True, method, certificate.text))
        return valid

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
                self.verdicts[point] = UNKNOWN
                return rest
            return [p for p in undecided if p not in bad]
        if isinstance(found, str) or not found.check.valid:
            self.verdicts[point] = UNKNOWN
            return rest
        self.verdicts[point] = HOLDS
        self.regions.append(Region((point,), len(found.lemmas), True, "Spacer",
                                   found.certificate.text))
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
        if not self.certify(invariant, points, constraint, "Spacer's lemmas reused, Houdini"):
            return set()
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
        return self.spread_counterexample(_point(first.knobs), first.trace, points)

    def spread_counterexample(self, point: Point, trace: Trace, points: list[Point]
                              ) -> set[Point]:
        """Record the counterexample at `point`, and the same action sequence at every
        other point of `points` where it violates P too (each replayed there)."""
        started = time.perf_counter()
        depth = len(trace)
        pinned = [self.unrolling.selector(t) == c for t, c in enumerate(trace.choices)]
        remaining = [p for p in points if p != point]
        found = [(point, trace)]
        while remaining and not self.clock.expired():
            self.calls["generalise"] += 1
            query = self.unrolling.reaches_violation(
                self.prop, depth, [dict(p) for p in remaining]) + pinned
            answer = self.enc.z.solve(query, self.clock.remaining_ms(), preprocess=True)
            if answer.status != SAT or answer.assignment is None:
                break
            w = witness(self.unrolling, answer.assignment, depth, self.prop, self.concretize)
            found.append((_point(w.knobs), w.trace))
            remaining.remove(_point(w.knobs))
        self.timings["generalise"] += time.perf_counter() - started
        for at, t in found:
            self.verdicts[at] = VIOLATED
            self.cexs.append(Counterexample(at, len(t), tuple(t.labels), t))
        return {at for at, _ in found}

def spread(points: list[Point], count: int) -> list[Point]:
    """Up to `count` points of the list, spread out: the largest first (it has the
    most states to mine), then each time the point farthest from those chosen."""
    if not points:
        return []
    names = [k for k, _ in points[0]]
    span = {k: max(1, max(dict(p)[k] for p in points) - min(dict(p)[k] for p in points))
            for k in names}

    def distance(a: Point, b: Point) -> float:
        return sum(abs(x - y) / span[k] for (k, x), (_, y) in zip(a, b, strict=True))

    chosen = [max(points, key=lambda p: sum(v for _, v in p))]
    while len(chosen) < min(count, len(points)):
        chosen.append(max((p for p in points if p not in chosen),
                          key=lambda p: min(distance(p, c) for c in chosen)))
    return chosen


def mining_applies(enc: Encoding, concretize: Concretize, point: Point) -> bool:
    """Mined lemmas need the concrete models' states to line up with the symbolic
    model's slots, and a state packed in 63 bits (the numpy enumerator)."""
    concrete = concretize(dict(point))
    same = [s.name for s in concrete.model.slots] == [s.name for s in enc.model.slots]
    return same and vector_fits(concrete)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _point(knobs: Mapping[str, int]) -> Point:
    return tuple(sorted(knobs.items()))


def synthesize(compiled: CompiledModel, prop: str, concretize: Concretize,
               seconds: float | None = None) -> Synthesis:
    """Decide every point of the box given by the compiled model's symbolic knobs."""
    box = {k: (lo, hi) for k, (lo, hi) in compiled.model.symbolic_knobs.items()}
    points = box_points(box)
    search = _Search(compiled, prop, concretize, seconds)
    search.decide(points)
    verdicts = {p: search.verdicts.get(p, UNKNOWN) for p in points}
    safe = {p for p, v in verdicts.items() if v == HOLDS}
    constraint = describe(points, safe) if UNKNOWN not in verdicts.values() else None
    return Synthesis(prop, box, verdicts, tuple(search.regions), tuple(search.cexs),
                     constraint, search.clock.elapsed(), dict(search.calls),
                     {k: round(v, 2) for k, v in search.timings.items()})


def check(compiled: CompiledModel, properties: Sequence[str] | None, limits: Limits,
          concretize: Concretize) -> tuple[CheckResult, str | None]:
    """``prove --method mined``: each property for every value of the symbolic knobs
    at once, by the synthesis search over their box (one point without symbolic
    knobs). `holds` needs every point proved; a counterexample is the shortest
    found, not necessarily the shortest there is. Also returns the certificates of
    every proved property as one SMT-LIB script (``(reset)`` between regions)."""
    results: list[PropertyResult] = []
    texts: list[str] = []
    total = Clock(None)
    for prop in selected(compiled, properties):
        s = synthesize(compiled, prop, concretize, limits.seconds)
        p = compiled.model.property(prop)
        counts = {v: sum(x == v for x in s.verdicts.values())
                  for v in (HOLDS, VIOLATED, UNKNOWN)}
        regions = [f"{_count(len(r.points), 'point')}: {r.lemmas} lemmas ({r.method})"
                   for r in s.regions]
        evidence = Proof(regions=tuple(regions), points=tuple(counts.items()),
                         calls=tuple(s.calls.items()))
        shown = [c for c in s.counterexamples if c.trace is not None]
        if shown:
            first = min(shown, key=lambda c: c.length)
            results.append(PropertyResult(prop, p.description, Verdict.violated(), first.trace,
                                          p.kind, seconds=s.seconds, proof=evidence,
                                          knob_values=tuple(first.point)))
        elif counts[HOLDS] == len(s.verdicts):
            texts += [r.certificate for r in s.regions]
            results.append(outcome(compiled, prop, Verdict.holds(
                f"{len(s.regions)} region proof(s), certificates checked"), s.seconds, evidence))
        else:
            results.append(outcome(compiled, prop, Verdict.unknown(
                f"{counts[UNKNOWN]} of {len(s.verdicts)} knob points undecided"), s.seconds,
                evidence))
    text = "\n(reset)\n".join(texts) if texts else None
    return check_result(compiled, NAME, results, total.elapsed(), 0, "mined", None, text), text


def _run(compiled: CompiledModel, request: Request) -> CheckResult:
    return check(compiled, selected_names(compiled, request), limits_of(request),
                 concretizer_of(compiled, request))[0]


ENGINE = SymbolicEngine(
    "mined", "lemmas mined from explicit samples, kept by Houdini: one certified proof per "
    "region of symbolic knob values; the shortest counterexample it found; response times "
    "through a monitor, leads-to by k-liveness", with_temporal(_run, proves=True),
    frozenset({VerdictKind.HOLDS, VerdictKind.VIOLATED, VerdictKind.UNKNOWN}), shortest=False,
    decides=DECIDES)


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
