"""The conformance matrix: every engine of the registry on every example model and
the CCR default and split-brain configurations. Engines must agree with the
explicit engine (every reachable state: the reference) on every verdict they
can give, for every property kind they decide (the others are unknown, saying
so): a bounded engine within its bound, explore by finding every violation
within its budget, shortest lengths where the engine promises shortest, state
counts where it counts states. Slow pairs (Z3 proofs of CCR) are marked slow."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ccrverify import api, engines
from ccrverify.model import SAFETY_KINDS, PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult, VerdictKind

MODELS: list[tuple[str, dict[str, Any]]] = [
    ("specs/examples/diehard.py", {}),
    ("specs/examples/twophase.py", {"rm": 3}),
    ("specs/examples/tcommit.py", {"rm": 3}),
    ("specs/examples/peterson.py", {}),
    ("specs/ccr.py", {}),
    ("specs/ccr/split-brain-grace.toml", {}),
]
SLOW = {"bmc", "kind", "pdr", "mined", "z3", "explore"}  # CCR: a minute to many on two cores
# Kinds whose counterexample is an infinite behaviour (a response's is finite or one).
LIVENESS = set(PropertyKind) - SAFETY_KINDS - {PropertyKind.RESPONSE}
BMC_DEPTH = 12  # beyond every shortest counterexample of these models (CCR: 10)

_reference: dict[tuple[str, str], CheckResult] = {}


def reference(spec: str, knobs: dict[str, Any]) -> CheckResult:
    key = (spec, repr(sorted(knobs.items())))
    if key not in _reference:
        _reference[key] = api.run(api.target(spec, knobs=knobs), "python")
    return _reference[key]


# Liveness by k-liveness (symbolic/liveness.py): tens of seconds a model, so their
# liveness properties run apart, marked slow (tests/unit/test_symbolic_kliveness.py
# keeps a few in the default suite).
KLIVENESS = {"kind", "pdr", "mined", "z3"}


def cases() -> list[Any]:
    out = []
    for name in engines.names():
        for spec, knobs in MODELS:
            short = spec.split('/')[-1]
            slow = name in SLOW and "ccr" in spec
            marks = [pytest.mark.slow] if slow else []
            if name in KLIVENESS and not slow:
                out.append(pytest.param(name, spec, knobs, False, id=f"{name}-{short}"))
                out.append(pytest.param(name, spec, knobs, True, marks=[pytest.mark.slow],
                                        id=f"{name}-{short}-liveness"))
            else:
                out.append(pytest.param(name, spec, knobs, True, marks=marks,
                                        id=f"{name}-{short}"))
    return out


@pytest.mark.parametrize(("name", "spec", "knobs", "liveness"), cases())
def test_engine_agrees_with_the_reference(name: str, spec: str, knobs: dict[str, Any],
                                          liveness: bool) -> None:
    engine = engines.engine(name)
    expected = reference(spec, knobs)
    budget = 3000 if "ccr" in spec else 300  # random runs: CCR's split brain is deeper
    request = Request(depth=BMC_DEPTH, max_k=BMC_DEPTH, seed=0, max_examples=budget,
                      time_limit=120)
    if not liveness:
        request = replace(request, properties=tuple(
            p.name for p in expected.properties if p.kind not in LIVENESS))
    if name == "explore" and "ccr" in spec:
        # A response on random runs is one more search of the whole budget on a
        # model twice the size (minutes here); tests/unit/test_explore_response.py
        # covers it on small knobs.
        request = replace(request, properties=tuple(
            p.name for p in expected.properties
            if p.kind in engine.decides and p.kind != PropertyKind.RESPONSE))
    got = api.run(api.target(spec, knobs=knobs), name, request)
    wanted = [p for p in expected.properties
              if request.properties is None or p.name in request.properties]
    assert {p.name for p in got.properties} == {p.name for p in wanted}
    for want in wanted:
        have = got.property(want.name)
        kind = have.verdict.kind
        if want.kind not in engine.decides:  # said so, as an unknown with the reason
            assert kind == VerdictKind.UNKNOWN and "does not decide" in have.verdict.reason
            continue
        assert kind in engine.verdicts, (want.name, have.verdict)
        if want.kind not in engine.decides:  # left out of the default selection, saying so
            assert kind == VerdictKind.UNKNOWN and "does not decide" in have.verdict.reason
            continue
        if want.verdict.kind == VerdictKind.VIOLATED:
            # Every engine that can say violated finds it (explore within its budget).
            assert kind == VerdictKind.VIOLATED, (want.name, have.verdict)
            assert have.trace is not None and len(have.trace) >= len(want.trace)
            # Shortest where both promise it: the explicit engine's lassos need not be.
            if engine.shortest and want.kind in SAFETY_KINDS:
                assert len(have.trace) == len(want.trace), want.name
        else:
            assert want.verdict.kind == VerdictKind.HOLDS
            assert kind != VerdictKind.VIOLATED, (want.name, have.trace)
            if kind == VerdictKind.BOUNDED:
                assert have.verdict.bound == BMC_DEPTH
            # The proof engines prove what they decide (liveness by k-liveness, on the
            # example models: CCR's may stay unknown).
            proves = {"explicit", "numpy"} | (
                {"pdr", "mined", "z3"} if want.kind not in LIVENESS or "ccr" not in spec
                else set())
            if name in proves:
                assert kind == VerdictKind.HOLDS, (want.name, have.verdict)
            if want.ticks is not None and kind == VerdictKind.HOLDS and have.ticks is not None:
                assert have.ticks == want.ticks, want.name  # the measured figure
    if engine.counts_states:
        assert got.stats.distinct_states == expected.stats.distinct_states
        assert got.stats.transitions == expected.stats.transitions
        assert got.stats.depth == expected.stats.depth
