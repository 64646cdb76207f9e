"""A toy engine, for the test that one module and one registry line are all an
engine needs: it looks at the initial states only, so it can find violations
there and says unknown about everything else."""

from __future__ import annotations

from dataclasses import dataclass

from ccrverify.compile import CompiledModel
from ccrverify.model import PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult, PropertyResult, Stats, Verdict, VerdictKind
from ccrverify.trace import replay


@dataclass(frozen=True)
class InitialStatesOnly:
    name: str = "toy"
    summary: str = "checks the initial states only (a test engine)"
    decides: frozenset[PropertyKind] = frozenset({PropertyKind.INVARIANT})
    verdicts: frozenset[VerdictKind] = frozenset({VerdictKind.VIOLATED, VerdictKind.UNKNOWN})
    counts_states: bool = False
    shortest: bool = True
    symbolic_knobs: bool = False

    def check(self, compiled: CompiledModel, request: Request) -> CheckResult:
        results = []
        inits = compiled.init_values()
        for prop in request.selected(compiled.model):
            index = compiled.model.properties.index(prop)
            bad = next((i for i, v in enumerate(inits) if not compiled.holds(v, index)), None)
            if bad is None:
                verdict, trace = Verdict.unknown("only the initial states were looked at"), None
            else:
                verdict, trace = Verdict.violated(), replay(compiled, bad, [], prop.name)
            results.append(PropertyResult(prop.name, prop.description, verdict, trace,
                                          prop.kind))
        return CheckResult(compiled.model.name, dict(compiled.model.knobs), self.name,
                           Stats(distinct_states=len(inits)), tuple(results), False)


ENGINE = InitialStatesOnly()
