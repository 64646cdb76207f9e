"""k-induction with simple-path constraints (Sheeran, Singh, Stålmarck 2000).

For k = 1, 2, ..., max_k:

- base: no violation within k-1 steps (the BMC query at depth k-1; together
  with the earlier rounds, no violation at any depth below k);
- step: ``dom(s0..sk) ∧ P(s0) ∧ ... ∧ P(s_k-1) ∧ T(s0,s1) ∧ ... ∧ T(s_k-1,s_k) ∧
  distinct(s_i, s_j) for i < j ∧ ¬P(s_k)`` is unsatisfiable.

When both hold, P is k-inductive and holds in every reachable state (k = 1 is
plain induction). Without the simple-path (all states distinct) constraints,
self-loops in unreachable states defeat every k (DESIGN.md); with them, the
method is complete for finite systems but k can be as large as the longest
loop-free path. Each query runs on a fresh solver.
"""

from __future__ import annotations

from collections.abc import Sequence

from ccrverify.compile import CompiledModel
from ccrverify.request import Request
from ccrverify.result import CheckResult, Proof, PropertyResult, Verdict, VerdictKind
from ccrverify.symbolic import bmc
from ccrverify.symbolic.certificate import Certificate, kinduction_certificate
from ccrverify.symbolic.certificate import check as check_certificate
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
)
from ccrverify.symbolic.encode import Encoding
from ccrverify.symbolic.temporal import DECIDES, with_temporal
from ccrverify.symbolic.z3api import UNKNOWN, UNSAT, Term

NAME = "z3-kind"


def step_query(unrolling: Unrolling, prop: str, k: int, limits: Limits) -> list[Term]:
    """The inductive step for k: k P-states in a simple path, then a ¬P state."""
    enc = unrolling.enc
    frames = [unrolling.frame(t) for t in range(k + 1)]
    parts: list[Term] = [unrolling.knobs(limits.points)]
    parts += [enc.domain(f) for f in frames]
    parts += [enc.prop(prop, f) for f in frames[:-1]]
    parts += unrolling.path(k)
    parts += [enc.different(frames[i], frames[j])
              for i in range(len(frames)) for j in range(i + 1, len(frames))]
    parts.append(enc.z.not_(enc.prop(prop, frames[-1])))
    return parts


def prove(unrolling: Unrolling, prop: str, limits: Limits, concretize: Concretize,
          clock: Clock) -> int | Witness | str:
    """The k at which P is proved, a counterexample, or why it could not decide."""
    for k in range(1, limits.max_k + 1):
        found = bmc.shortest_violation(unrolling, prop, k - 1, concretize, limits, clock,
                                       start=k - 1)
        if found is not None:
            return found
        answer = unrolling.enc.z.solve(step_query(unrolling, prop, k, limits), clock.remaining_ms(),
                                       preprocess=True)
        if answer.status == UNSAT:
            return k
        if answer.status == UNKNOWN:
            return f"z3 gave up on the step case at k = {k}: {answer.reason}"
        if clock.expired():
            return f"time limit reached at k = {k}"
    return f"not k-inductive for any k <= {limits.max_k} (raise --max-k, or try --method pdr)"


def check(compiled: CompiledModel, properties: Sequence[str] | None = None,
          limits: Limits | None = None, concretize: Concretize | None = None
          ) -> tuple[CheckResult, list[Certificate]]:
    """Decide each selected property by k-induction. A proof counts only when its
    SMT-LIB certificate (base and step queries) passes in a fresh context; the
    certificates of the proved properties are returned too."""
    limits = limits or Limits()
    concretize = concretize or fixed(compiled)
    unrolling = Unrolling(Encoding(compiled))
    total = Clock(None)
    results: list[PropertyResult] = []
    certificates: list[Certificate] = []
    deepest = 0
    for prop in selected(compiled, properties):
        clock = Clock(limits.seconds)
        found = prove(unrolling, prop, limits, concretize, clock)
        seconds = clock.elapsed()
        if isinstance(found, Witness):
            results.append(violated(compiled, prop, found, seconds=seconds))
            deepest = max(deepest, found.depth)
        elif isinstance(found, int):
            certificate = kinduction_certificate(unrolling.enc, prop, found, [
                f"ccrverify certificate: model {compiled.model.name}, property {prop} "
                f"is {found}-inductive", "valid when every (check-sat) answers unsat"])
            checked = check_certificate(certificate)
            if checked.valid:
                certificates.append(certificate)
                results.append(outcome(compiled, prop, Verdict.holds(f"{found}-inductive"),
                                       seconds, Proof(k=found)))
            else:
                results.append(outcome(compiled, prop, Verdict.unknown(
                    "the k-induction certificate failed the independent check: "
                    + ", ".join(checked.failed)), seconds, Proof(k=found)))
            deepest = max(deepest, found)
        else:
            results.append(outcome(compiled, prop, Verdict.unknown(found), seconds=seconds))
    return check_result(compiled, NAME, results, total.elapsed(), deepest, "kind", limits.max_k,
                        certificates[0].text if len(certificates) == 1 else None
                        ), certificates


def _run(compiled: CompiledModel, request: Request) -> CheckResult:
    return check(compiled, selected_names(compiled, request), limits_of(request),
                 concretizer_of(compiled, request))[0]


ENGINE = SymbolicEngine(
    "kind", "k-induction with Z3 and simple-path constraints: a certified proof up to "
    "--max-k, or a shortest counterexample; response times through a monitor, "
    "leads-to by k-liveness",
    with_temporal(_run, proves=True),
    frozenset({VerdictKind.HOLDS, VerdictKind.VIOLATED, VerdictKind.UNKNOWN}), shortest=True,
    decides=DECIDES)
