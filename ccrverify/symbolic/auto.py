"""``z3``: Spacer first, then bounded model checking for what Spacer leaves open
(``prove --method auto``): a proof where one is found, else the best bounded
answer, never a guess. Liveness properties go through Spacer too (k-liveness,
`liveness.py`); what it leaves unknown gets BMC's lasso search and its
``bounded(K)``."""

from __future__ import annotations

from dataclasses import replace

from ccrverify.compile import CompiledModel
from ccrverify.model import LIVENESS_KINDS, PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult, VerdictKind
from ccrverify.symbolic import bmc, spacer
from ccrverify.symbolic.common import SymbolicEngine
from ccrverify.symbolic.temporal import LASSO_SEARCH, with_temporal

# Spacer without its own lasso search: BMC below runs it, once, on what is left open.
SPACER = replace(spacer.ENGINE, run=with_temporal(spacer._run, proves=True, lasso_search=False))


def check(compiled: CompiledModel, request: Request) -> CheckResult:
    chosen = request.selected(compiled.model)
    proved = tuple(p.name for p in chosen if p.kind in spacer.ENGINE.decides)
    result = SPACER.check(compiled, replace(request, properties=proved))
    decided = {p.name: p for p in result.properties}
    rest = tuple(p.name for p in chosen if p.name not in decided
                 or decided[p.name].verdict.kind == VerdictKind.UNKNOWN)
    if not rest:
        return replace(result, method="auto")
    bounded = bmc.ENGINE.check(compiled, replace(request, properties=rest, check_deadlock=False))
    decided.update({p.name: replace(p, found_by=LASSO_SEARCH) if p.kind in LIVENESS_KINDS
                    and p.verdict.kind == VerdictKind.VIOLATED else p
                    for p in bounded.properties})
    merged = tuple(decided[p.name] for p in chosen)
    return replace(result, properties=merged, method="auto", bound=request.depth,
                   complete=all(p.verdict.kind != VerdictKind.UNKNOWN for p in merged),
                   stats=replace(result.stats,
                                 seconds=result.stats.seconds + bounded.stats.seconds))


ENGINE = SymbolicEngine(
    "z3", "Spacer (pdr; liveness by k-liveness), then bmc for what it leaves open", check,
    frozenset(VerdictKind), shortest=False, decides=frozenset(PropertyKind))
