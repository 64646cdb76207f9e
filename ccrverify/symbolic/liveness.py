"""Leads-to and the other liveness kinds proved by k-liveness (Claessen and Sörensson 2012).

The engine's own invariant method (PDR, k-induction, mined lemmas) runs on the
model with a round counter (`ccrverify.kliveness`) for k = 0, 1, 2, 4, 8, 16 in
turn. The first k proved makes the property hold; the proof is the certificate
of that invariant on the monitored model, re-checked by a fresh solver like
every other certificate. A k that fails is no counterexample: its witness
counts only when it shows a fair lasso (a repeated state or a stutter that
`trace.replay_lasso` accepts). What no k settles is left to the caller
(`temporal.py`), which searches for a fair lasso with BMC and otherwise says
``unknown``: never ``holds`` from a bounded search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ccrverify.compile import CompiledModel
from ccrverify.errors import EvaluationError
from ccrverify.kliveness import Rounds, rounds
from ccrverify.model import Property, PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult, PropertyResult, Verdict, VerdictKind
from ccrverify.symbolic.common import fixed
from ccrverify.symbolic.temporal import lift_evaluation_error, run_monitored

# The round bounds tried: small first (cheap to prove, and a violation at a small
# k often shows a lasso already), doubling after 2.
KS = (0, 1, 2, 4, 8, 16)


@dataclass(frozen=True)
class Attempt:
    """What k-liveness settled: a result (holds, or violated with a lasso), with the
    certificates of a proof; or, when `result` is None, why it could not."""

    result: PropertyResult | None
    certificates: tuple[str, ...] = ()
    doubt: str = ""


@dataclass
class KLiveness:
    """One liveness property decided by an invariant method on monitored models."""

    compiled: CompiledModel
    prop: Property
    request: Request
    run: Any  # Callable[[CompiledModel, Request], CheckResult]
    fairness: tuple[str, ...]

    def decide(self) -> Attempt:
        try:
            return self._attempt()
        except EvaluationError as err:
            raise self._lift_error(err) from None

    def _attempt(self) -> Attempt:
        for k in KS:
            mon, result = self._monitored(k)
            got = result.properties[0]
            if got.verdict.kind == VerdictKind.HOLDS:
                return Attempt(self._holds(mon, got), tuple(self._certificates(mon, result)))
            if got.verdict.kind == VerdictKind.VIOLATED:
                lasso = self._lasso(mon, got)
                if lasso is not None:
                    return Attempt(lasso)
                continue
            return Attempt(None, doubt=f"k-liveness at k = {k}: {got.verdict.reason}"
                           + _weakened(mon))
        return Attempt(None, doubt=f"k-liveness proves no k <= {KS[-1]}: some pending run "
                       f"completes more than {KS[-1]} fair rounds, and no witness showed a fair "
                       f"lasso{_weakened(mon)}")

    def _holds(self, mon: Rounds, got: PropertyResult) -> PropertyResult:
        where = ("through a state where it fails"
                 if self.prop.kind == PropertyKind.EVENTUALLY_ALWAYS else "while pending")
        reason = (f"k-liveness: at most {mon.k} fair round{'s' if mon.k != 1 else ''} "
                  f"{where}, certificate checked")
        if mon.weakened:
            reason += "; strong fairness counted as weak (sound)"
        return PropertyResult(self.prop.name, self.prop.description, Verdict.holds(reason),
                              kind=self.prop.kind, proof=got.proof, fairness=self.fairness)

    def _lasso(self, mon: Rounds, got: PropertyResult) -> PropertyResult | None:
        assert got.trace is not None
        original = (self.request.concretize or fixed(self.compiled))(dict(got.knob_values))
        trace = mon.lift(original, got.trace.init_index, got.trace.choices)
        if trace is None:
            return None
        return PropertyResult(self.prop.name, self.prop.description, Verdict.violated(),
                              trace, self.prop.kind, depth=len(trace),
                              knob_values=got.knob_values, fairness=self.fairness,
                              found_by=f"{got.found_by or 'k-liveness'} (rounds, k = {mon.k})")

    def _monitored(self, k: int) -> tuple[Rounds, CheckResult]:
        mon = rounds(self.compiled.model, self.prop.name, k)
        return mon, run_monitored(self.compiled, self.request, self.run, mon.model,
                                  lambda model: rounds(model, self.prop.name, k).model,
                                  (mon.name,), self.request.depth)

    def _certificates(self, mon: Rounds, result: CheckResult) -> list[str]:
        if not result.certificate_text:
            return []
        header = (f"; the model {self.compiled.model.name} with the k-liveness monitor of "
                  f"{self.prop.kind.value} property {self.prop.name} (ccrverify.kliveness), "
                  f"k = {mon.k}: {mon.name} is invariant, so no weakly fair behaviour "
                  "violates the property")
        return [header + "\n" + result.certificate_text]

    def _lift_error(self, err: EvaluationError) -> EvaluationError:
        return lift_evaluation_error(self.compiled, self.prop.name, err)


def _weakened(mon: Rounds) -> str:
    if not mon.weakened:
        return ""
    return (f" (strong fairness of {', '.join(mon.weakened)} counted as weak: a proof would "
            "be sound, but the property may need the strong assumption)")
