"""``z3``: Spacer first, then bounded model checking for what Spacer leaves open
(``prove --method auto``): a proof where one is found, else the best bounded
answer, never a guess."""

from __future__ import annotations

from dataclasses import replace

from ccrverify.compile import CompiledModel
from ccrverify.request import Request
from ccrverify.result import CheckResult, VerdictKind
from ccrverify.symbolic import bmc, spacer
from ccrverify.symbolic.common import SymbolicEngine


def check(compiled: CompiledModel, request: Request) -> CheckResult:
    result = spacer.ENGINE.check(compiled, request)
    undecided = [p.name for p in result.properties if p.verdict.kind == VerdictKind.UNKNOWN]
    if not undecided:
        return replace(result, method="auto")
    bounded = {p.name: p for p in bmc.ENGINE.check(
        compiled, replace(request, properties=tuple(undecided), check_deadlock=False)).properties}
    merged = tuple(bounded.get(p.name, p) for p in result.properties)
    return replace(result, properties=merged, method="auto", bound=request.depth,
                   complete=all(p.verdict.kind != VerdictKind.UNKNOWN for p in merged))


ENGINE = SymbolicEngine(
    "z3", "Spacer (pdr), then bmc for what it leaves open", check,
    frozenset(VerdictKind), shortest=False)

