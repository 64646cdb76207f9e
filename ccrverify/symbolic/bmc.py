"""Bounded model checking (Biere, Cimatti, Clarke, Zhu 1999).

For depth d = 0, 1, ..., K and each property P still open, one query
``Init(s0) ∧ T(s0,s1) ∧ ... ∧ T(s_d-1,s_d) ∧ ¬P(s_d)`` on a *fresh* solver:
depth-by-depth push/pop switches z3 to its incremental core, which measured
10-55x slower (DESIGN.md). The unrolled terms are cached in the context, so a
fresh solver costs only the assertion. The first satisfiable depth is the
length of a shortest counterexample; no violation up to K is ``bounded(K)``,
never ``holds``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ccrverify.compile import CompiledModel
from ccrverify.request import Request
from ccrverify.result import CheckResult, PropertyResult, Verdict, VerdictKind
from ccrverify.symbolic.common import (
    Clock,
    Concretize,
    Limits,
    SymbolicEngine,
    Unrolling,
    Witness,
    check_result,
    concretizer_of,
    fixed,
    limits_of,
    outcome,
    selected,
    selected_names,
    violated,
    witness,
)
from ccrverify.symbolic.encode import Encoding
from ccrverify.symbolic.temporal import DECIDES, with_temporal
from ccrverify.symbolic.z3api import SAT, UNKNOWN

NAME = "z3-bmc"


def shortest_violation(unrolling: Unrolling, prop: str, depth: int, concretize: Concretize,
                       limits: Limits, clock: Clock, start: int = 0) -> Witness | str | None:
    """The first depth in start..depth with a violation, as a replayed witness;
    None when there is none, a reason string when z3 gave up."""
    for d in range(start, depth + 1):
        if clock.expired():
            return f"time limit reached at depth {d}"
        gave_up = unrolling.error_free(d, limits.points, concretize, clock)
        if gave_up is not None:
            return gave_up
        query = unrolling.reaches_violation(prop, d, limits.points)
        answer = unrolling.enc.z.solve(query, clock.remaining_ms(), preprocess=True)
        if answer.status == SAT and answer.assignment is not None:
            return witness(unrolling, answer.assignment, d, prop, concretize)
        if answer.status == UNKNOWN:
            return f"z3 gave up at depth {d}: {answer.reason}"
    return None


def more_violations(unrolling: Unrolling, prop: str, first: Witness, concretize: Concretize,
                    limits: Limits, clock: Clock) -> list[Witness]:
    """Up to ``limits.counterexamples - 1`` further counterexamples of the same
    (shortest) length, each ending in a state none found before: the same query,
    with every final state found so far blocked."""
    enc, z = unrolling.enc, unrolling.enc.z
    last = unrolling.frame(first.depth)
    query = unrolling.reaches_violation(prop, first.depth, limits.points)
    found = [first]
    while len(found) < limits.counterexamples and not clock.expired():
        for w in found[len(found) - 1:]:
            values = w.trace.steps[-1].values
            query.append(z.or_(term != (z.bool_val(bool(v)) if z.is_bool(term)
                                        else z.int_val(v))
                               for term, v in zip(last.terms, values, strict=True)))
        answer = enc.z.solve(query, clock.remaining_ms(), preprocess=True)
        if answer.status != SAT or answer.assignment is None:
            break
        found.append(witness(unrolling, answer.assignment, first.depth, prop, concretize))
    return found[1:]


def check(compiled: CompiledModel, properties: Sequence[str] | None = None,
          limits: Limits | None = None, concretize: Concretize | None = None) -> CheckResult:
    """Search each selected property for a violation within `limits.depth` steps."""
    limits = limits or Limits()
    concretize = concretize or fixed(compiled)
    unrolling = Unrolling(Encoding(compiled))
    total = Clock(None)
    results: list[PropertyResult] = []
    deepest = 0
    for prop in selected(compiled, properties):
        clock = Clock(limits.seconds)
        found = shortest_violation(unrolling, prop, limits.depth, concretize, limits, clock)
        if isinstance(found, Witness):
            more = (more_violations(unrolling, prop, found, concretize, limits, clock)
                    if limits.counterexamples > 1 else [])
            results.append(violated(compiled, prop, found, seconds=clock.elapsed(), more=more))
            deepest = max(deepest, found.depth)
        elif isinstance(found, str):
            results.append(outcome(compiled, prop, Verdict.unknown(found)))
        else:
            results.append(outcome(compiled, prop, Verdict.bounded(limits.depth),
                                   seconds=clock.elapsed()))
            deepest = limits.depth
    return check_result(compiled, NAME, results, total.elapsed(), deepest, "bmc", limits.depth)


def run_invariants(compiled: CompiledModel, request: Request) -> CheckResult:
    return check(compiled, selected_names(compiled, request), limits_of(request),
                 concretizer_of(compiled, request))


ENGINE = SymbolicEngine(
    "bmc", "bounded model checking with Z3: shortest counterexamples up to --depth, "
    "bounded(K) otherwise; fair lassos for liveness, a monitor for response times",
    with_temporal(run_invariants, proves=False),
    frozenset({VerdictKind.VIOLATED, VerdictKind.BOUNDED, VerdictKind.UNKNOWN}), shortest=True,
    decides=DECIDES)
