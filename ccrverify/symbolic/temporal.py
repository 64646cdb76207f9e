"""Temporal properties for the Z3 engines.

**Response** properties go through the monitor (`ccrverify.monitor`): the engine's
own invariant method (BMC, k-induction, PDR, mined lemmas) runs on the monitored
model and its witnesses are lifted back to the original model and replayed
there (`Monitor.lift`, `trace.replay_lasso`). The engines that prove decide a
response in two phases, the explicit engine's order:

1. *never*: no measured run stops in a dead end, and none goes more than C
   steps without a tick (``:dead-end`` and ``:stretch``; the stretch bound rules
   out tick-free cycles, k-liveness style, with C = 4, 8, 16, 32 in turn). A
   dead end, or a stretch that repeats a state, is a counterexample ("never");
   a stretch that repeats none tries the next C.
2. *ticks*: ``:ticks`` with the property's bound K. A cycle with ticks makes
   ``:ticks`` fail too, so the two phases together decide "within K" exactly.
   A ``:ticks`` violation is a counterexample even when phase 1 stayed in
   doubt. Without a bound (measure mode) K = 0, 1, ... up to ``--depth``: the
   first K proved is the worst case, and the counterexample at K - 1 shows
   that K ticks do happen, so the figure is exact.

Whatever the proof leaves undecided goes to BMC's search for a cycle that avoids
the response (``:cycle``, liveness-to-safety) up to ``--depth`` before the
answer is ``unknown``: a cycle with ticks defeats every bound K of a measure.

A proof is the certificates of every invariant it used (one SMT-LIB script
each, on the monitored model, joined by ``(reset)``). BMC searches ``:ticks``,
``:dead-end`` and ``:cycle`` (liveness-to-safety) to ``--depth`` and says
``bounded(K)`` when none fails; without a bound it looks for "never" only.

**Leads-to, eventually, always eventually, eventually always**: on BMC, the lasso
search (`lasso.py`): a fair lasso or ``bounded(K)``, never ``holds``. The
engines that prove (kind, pdr, mined) use k-liveness (`liveness.py`, Claessen
and Sörensson 2012): their invariant method on the model with a round counter
(`ccrverify.kliveness`) for k = 0, 1, 2, 4, 8, 16; the first k proved makes the
property hold, with that invariant's certificate on the monitored model. A
witness of a failed k that replays as a fair lasso is a counterexample; what no
k settles goes to the lasso search, and what that does not find is ``unknown``.
Strong fairness is counted as weak there: sound (every strongly fair behaviour
is weakly fair), but a property that needs it stays ``unknown``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ccrverify.compile import CompiledModel, compile_model
from ccrverify.errors import EvaluationError
from ccrverify.model import LIVENESS_KINDS, SAFETY_KINDS, Model, PropertyKind
from ccrverify.model import Property as ModelProperty
from ccrverify.monitor import CYCLE, DEAD_END, STRETCH, TICKS, Monitor, monitor
from ccrverify.request import Request
from ccrverify.result import CheckResult, Proof, PropertyResult, Verdict, VerdictKind
from ccrverify.symbolic.common import Clock, Concretize, Limits, Unrolling, Witness, fixed
from ccrverify.symbolic.encode import Encoding
from ccrverify.symbolic.lasso import shortest_lasso
from ccrverify.trace import ReplayError, evaluation_error

Run = Callable[[CompiledModel, Request], CheckResult]
RESPONSE = frozenset({PropertyKind.RESPONSE})
# C: steps without a tick a measured run may take (see monitor.py), tried in turn.
STRETCHES = (4, 8, 16, 32)
MONITOR_STEPS = 2  # Arm and Save: a monitored witness is this much longer


# What every Z3 engine decides: every kind (liveness by k-liveness on the engines
# that prove, by a lasso search on bmc).
DECIDES = SAFETY_KINDS | RESPONSE | LIVENESS_KINDS


def with_temporal(run: Run, proves: bool, lasso_search: bool = True) -> Run:
    """`run` (an invariant method) extended to the temporal properties of a request.
    `lasso_search=False`: a proof engine leaves what k-liveness cannot decide unknown
    without BMC's lasso search (the ``z3`` method runs that search itself, once)."""

    def check(compiled: CompiledModel, request: Request) -> CheckResult:
        chosen = request.selected(compiled.model)
        safety = tuple(p.name for p in chosen if p.is_safety)
        temporal = [p for p in chosen if not p.is_safety]
        base = run(compiled, replace(request, properties=safety))
        if not temporal:
            return base
        decided = {p.name: p for p in base.properties}
        texts = [base.certificate_text] if base.certificate_text else []
        seconds = base.stats.seconds
        for prop in temporal:
            clock = Clock(None)
            if prop.kind == PropertyKind.RESPONSE:
                outcome, more = Response(compiled, prop, request, run, proves).decide()
                texts += more
            elif not proves:
                outcome = _liveness(compiled, prop, request)
            else:
                outcome, more = _proved_liveness(compiled, prop, request, run, lasso_search)
                texts += more
            decided[prop.name] = replace(outcome, seconds=clock.elapsed())
            seconds += clock.elapsed()
        results = tuple(decided[p.name] for p in chosen)
        return replace(base, properties=results, stats=replace(base.stats, seconds=seconds),
                       complete=all(r.verdict.kind != VerdictKind.UNKNOWN for r in results),
                       certificate_text="\n(reset)\n".join(texts) if texts else None)

    return check


# -- response ---------------------------------------------------------------------------
@dataclass
class Response:
    """One response property decided by an invariant method on monitored models."""

    compiled: CompiledModel
    prop: ModelProperty
    request: Request
    run: Run
    proves: bool

    def decide(self) -> tuple[PropertyResult, list[str]]:
        try:
            return self._bounded() if not self.proves else self._proved()
        except EvaluationError as err:
            raise self._lift_error(err) from None

    # BMC: every part in one search; "never" first, as the explicit engine reports it.
    def _bounded(self) -> tuple[PropertyResult, list[str]]:
        within = self.prop.within
        parts = ((TICKS,) if within is not None else ()) + (DEAD_END, CYCLE)
        mon, result = self._monitored(within, parts)
        found = {mon.part_of(p.name): p for p in result.properties}
        for part in (DEAD_END, CYCLE, TICKS):
            got = found.get(part)
            if got is not None and got.verdict.kind == VerdictKind.VIOLATED:
                return self._violated(mon, got, part), []
        gave_up = [p.verdict.reason for p in found.values()
                   if p.verdict.kind == VerdictKind.UNKNOWN]
        if gave_up:
            return self._result(Verdict.unknown("; ".join(gave_up))), []
        depth = self.request.depth
        verdict = Verdict.bounded(depth)
        if within is None:
            verdict = replace(verdict, reason=f"no run within {depth} steps avoids the "
                              "response; the worst case in ticks needs a proof (engines pdr, "
                              "mined, z3) or the explicit engine")
        return self._result(verdict), []

    # Proof engines: never, then ticks.
    def _proved(self) -> tuple[PropertyResult, list[str]]:
        found, evidence, texts, doubt, cycles = self._never()
        if found is not None:
            return found, []
        within = self.prop.within
        bounds: Sequence[int] = [within] if within is not None else range(self.request.depth + 1)
        for bound in bounds:
            mon, result = self._monitored(bound, (TICKS,))
            got = result.properties[0]
            if got.verdict.kind == VerdictKind.VIOLATED:
                if within is not None:  # too late: a counterexample whatever phase 1 said
                    return self._violated(mon, got, TICKS), []
                continue
            if got.verdict.kind != VerdictKind.HOLDS:
                return self._unknown(got.verdict.reason, search=False), []
            if doubt is not None:
                return self._unknown(doubt, search=cycles), []
            evidence.append(got)
            texts += self._certificates(mon, result)
            figure = f"{bound} tick{'s' if bound != 1 else ''}"
            reason = (f"at most {figure}" if within is not None
                      else f"worst case {figure}") + ", certificates checked"
            return self._result(Verdict.holds(reason), _proof(evidence),
                                ticks=bound if within is None else None), texts
        return self._unknown(f"more than {self.request.depth} ticks on some run (raise "
                             "--depth to measure further)"), []

    def _never(self) -> tuple[PropertyResult | None, list[PropertyResult], list[str],
                              str | None, bool]:
        """Phase 1: a counterexample that never answers, or the evidence that none
        exists (with its certificates), or the doubt that remains (and whether a
        cycle search could settle it: not when the solver gave up). The stretch bound
        C grows (k-liveness): a small C is easy to prove, a larger one is tried only
        when a run takes more than C tick-free steps without repeating a state."""
        doubt: str | None = None
        for stretch in STRETCHES:
            mon, result = self._monitored(None, (DEAD_END, STRETCH), stretch=stretch)
            got = {mon.part_of(p.name): p for p in result.properties}
            dead, long = got[DEAD_END], got[STRETCH]
            if dead.verdict.kind == VerdictKind.VIOLATED:
                return self._violated(mon, dead, DEAD_END), [], [], None, False
            if long.verdict.kind == VerdictKind.VIOLATED:
                lifted = self._violated(mon, long, STRETCH)
                if lifted.trace is not None:
                    return lifted, [], [], None, False
                doubt = (f"a measured run takes more than {stretch} steps without a tick "
                         "and repeats no state")
                continue
            if dead.verdict.kind == long.verdict.kind == VerdictKind.HOLDS:
                return None, [dead, long], self._certificates(mon, result), None, False
            return None, [], [], "; ".join(p.verdict.reason for p in (dead, long)
                                           if p.verdict.kind == VerdictKind.UNKNOWN), False
        return None, [], [], doubt, True

    def _unknown(self, reason: str, search: bool = True) -> PropertyResult:
        """Undecided by the proof: a lasso that avoids the response may still show
        (BMC's liveness-to-safety search up to --depth), when the proof failed for
        want of a bound, not because the solver gave up (the search would be as
        costly as it is hopeless then)."""
        if not search:
            return self._result(Verdict.unknown(reason))
        mon, result = self._monitored(None, (CYCLE,), run=_bmc_run())
        got = result.properties[0]
        if got.verdict.kind == VerdictKind.VIOLATED:
            return self._violated(mon, got, CYCLE)
        return self._result(Verdict.unknown(
            f"{reason}; no cycle avoids the response within {self.request.depth} steps"))

    # -- plumbing -----------------------------------------------------------------------
    def _monitored(self, bound: int | None, parts: tuple[str, ...], run: Run | None = None,
                   stretch: int = STRETCHES[-1]) -> tuple[Monitor, CheckResult]:
        def build(model: Any) -> Monitor:
            return monitor(model, self.prop.name, bound, parts, stretch)

        mon = build(self.compiled.model)
        return mon, run_monitored(self.compiled, self.request, run or self.run, mon.model,
                                  lambda model: build(model).model, mon.names,
                                  self.request.depth + MONITOR_STEPS)

    def _violated(self, mon: Monitor, got: PropertyResult, part: str) -> PropertyResult:
        assert got.trace is not None
        original = (self.request.concretize or fixed(self.compiled))(dict(got.knob_values))
        trace = mon.lift(original, got.trace.init_index, got.trace.choices, part)
        if trace is None:
            return self._result(Verdict.unknown("no repeated state"))
        never = part != TICKS
        return replace(self._result(Verdict.violated(), ticks="never" if never else None),
                       trace=trace, depth=len(trace), knob_values=got.knob_values,
                       found_by=f"{got.found_by or 'the monitor'} ({part})")

    def _result(self, verdict: Verdict, proof: Proof | None = None,
                ticks: int | str | None = None) -> PropertyResult:
        return PropertyResult(self.prop.name, self.prop.description, verdict,
                              kind=self.prop.kind, proof=proof, ticks=ticks)

    def _certificates(self, mon: Monitor, result: CheckResult) -> list[str]:
        if not result.certificate_text:
            return []
        header = [f"; the model {self.compiled.model.name} with the monitor of response "
                  f"{self.prop.name} (ccrverify.monitor): {', '.join(mon.parts)}"]
        if mon.bound is not None:
            header.append(f"; {self.prop.name}:ticks holds: no measured run counts more than "
                          f"{mon.bound} ticks")
        return ["\n".join(header) + "\n" + result.certificate_text]

    def _lift_error(self, err: EvaluationError) -> EvaluationError:
        return lift_evaluation_error(self.compiled, self.prop.name, err)


def run_monitored(compiled: CompiledModel, request: Request, run: Run, model: Model,
                  extend: Callable[[Model], Model], names: tuple[str, ...], depth: int
                  ) -> CheckResult:
    """`run` deciding `names` on `model`, the original extended by a monitor; with
    symbolic knobs, each set of values the solver picks is concretized on the original
    and extended again (compiled once per set)."""
    original = request.concretize or fixed(compiled)
    cache: dict[tuple[tuple[str, int], ...], CompiledModel] = {}

    def concretize(values: Any) -> CompiledModel:
        key = tuple(sorted(values.items()))
        if key not in cache:
            cache[key] = compile_model(extend(original(values).model))
        return cache[key]

    return run(compile_model(model), replace(
        request, properties=names, check_deadlock=False, depth=depth,
        concretize=concretize if request.concretize else None))


def lift_evaluation_error(compiled: CompiledModel, prop: str, err: EvaluationError
                          ) -> EvaluationError:
    """An evaluation error met on a monitored model, on the original model (a
    monitor's own actions come after the original ones: dropped)."""
    trace = err.trace
    if trace is None or compiled.model.symbolic_knobs:
        return err
    kept = [c for c in trace.choices if c < len(compiled.model.actions)]
    index = [p.name for p in compiled.model.properties].index(prop)
    try:
        return evaluation_error(compiled, trace.init_index, kept, [index])
    except ReplayError:
        return err


def _proof(parts: list[PropertyResult]) -> Proof:
    invariant: list[str] = []
    answers: list[tuple[str, str]] = []
    for got in parts:
        if got.proof is None:
            continue
        invariant += [f"{got.name}: {lemma}" for lemma in got.proof.invariant]
        answers += list(got.proof.certificate_check)
        if got.proof.regions:
            invariant += [f"{got.name}: {r}" for r in got.proof.regions]
    return Proof(invariant=tuple(invariant), certificate_check=tuple(answers),
                 k=next((g.proof.k for g in parts if g.proof and g.proof.k), None))


def _bmc_run() -> Run:
    from ccrverify.symbolic import bmc

    return bmc.run_invariants


# -- leads-to and the other liveness kinds --------------------------------------------------
LASSO_SEARCH = "bmc lasso search"  # what found a lasso that k-liveness left open

def _liveness(compiled: CompiledModel, prop: ModelProperty, request: Request) -> PropertyResult:
    from ccrverify.explicit.liveness import Groups

    concretize: Concretize = request.concretize or fixed(compiled)
    limits = Limits(depth=request.depth, seconds=request.time_limit)
    clock = Clock(request.time_limit)
    found = shortest_lasso(Unrolling(Encoding(compiled)), prop, request.depth, concretize,
                           limits, clock)
    fairness = Groups.of(compiled).describe(compiled)
    base = PropertyResult(prop.name, prop.description, Verdict.bounded(request.depth),
                          kind=prop.kind, fairness=fairness)
    if isinstance(found, Witness):
        return replace(base, verdict=Verdict.violated(), trace=found.trace, depth=found.depth,
                       knob_values=tuple(sorted(found.knobs.items())))
    if isinstance(found, str):
        return replace(base, verdict=Verdict.unknown(found))
    return replace(base, verdict=replace(
        base.verdict, reason=f"no fair lasso within {request.depth} steps"))



def _proved_liveness(compiled: CompiledModel, prop: ModelProperty, request: Request, run: Run,
                     lasso_search: bool = True) -> tuple[PropertyResult, list[str]]:
    """k-liveness (`liveness.py`) first; what it leaves open goes to BMC's lasso
    search, and what that does not find is unknown (a proof engine never says
    bounded)."""
    from ccrverify.explicit.liveness import Groups
    from ccrverify.symbolic.liveness import KLiveness

    fairness = Groups.of(compiled).describe(compiled)
    attempt = KLiveness(compiled, prop, request, run, fairness).decide()
    if attempt.result is not None:
        return attempt.result, list(attempt.certificates)
    if not lasso_search:
        return PropertyResult(prop.name, prop.description, Verdict.unknown(attempt.doubt),
                              kind=prop.kind, fairness=fairness), []
    found = _liveness(compiled, prop, request)
    if found.verdict.kind == VerdictKind.VIOLATED:
        return replace(found, found_by=LASSO_SEARCH), []
    # (the lasso search's reason: no fair lasso within the depth, or why z3 gave up)
    return replace(found, verdict=Verdict.unknown(f"{attempt.doubt}; {found.verdict.reason}")
                   ), []
