"""The Z3 engines agree with the explicit engine wherever their abilities overlap.

- BMC's first violation depth is the explicit engine's shortest counterexample
  length, and its trace replays on the concrete model;
- PDR says `holds` exactly where the explicit engine does, and every such
  verdict rests on a certificate that passes the independent check;
- synthesis over a box of CCR knobs matches the explicit engine point by point.
"""

from pathlib import Path

import pytest

from ccrverify.compile import compile_model
from ccrverify.explicit.bfs import check as explicit_check
from ccrverify.loader import load
from ccrverify.request import Request
from ccrverify.symbolic import bmc, spacer
from ccrverify.symbolic.certificate import check_text
from ccrverify.symbolic.common import Limits

EXAMPLES = sorted(str(p) for p in Path("specs/examples").glob("*.py"))
EXAMPLE_KNOBS = {"twophase": [{"rm": 1}, {"rm": 2}, {"rm": 3}]}


def _configs():
    for spec in EXAMPLES:
        for knobs in EXAMPLE_KNOBS.get(Path(spec).stem, [{}]):
            yield spec, knobs


def _explicit(spec, knobs, props=None):
    compiled = compile_model(load(spec).build(knobs))
    result = explicit_check(compiled, Request(None if props is None else tuple(props)))
    return compiled, {p.name: p for p in result.properties if p.name != "DeadlockFree"}


def _agree_bmc(compiled, expected, depth):
    result = bmc.check(compiled, list(expected), Limits(depth=depth))
    for name, p in expected.items():
        got = result.property(name)
        if p.verdict.kind == "violated" and len(p.trace) <= depth:
            assert got.verdict.kind == "violated", name
            assert len(got.trace) == len(p.trace), name
            assert got.trace.ends_in == f"violation of {name}"
        else:
            assert str(got.verdict) == f"bounded({depth})", name


def _agree_pdr(compiled, expected):
    result, certificate = spacer.check(compiled, list(expected))
    for name, p in expected.items():
        got = result.property(name)
        assert got.verdict.kind == p.verdict.kind, name
        if p.verdict.kind == "violated":
            assert len(got.trace) == len(p.trace)
        else:
            assert set(got.to_json()["certificate_check"].values()) == {"unsat"}
    if certificate is not None:
        assert check_text(certificate.text).valid


@pytest.mark.parametrize(("spec", "knobs"), list(_configs()))
def test_examples_bmc_and_pdr_agree_with_explicit(spec, knobs):
    compiled, expected = _explicit(spec, knobs)
    depth = max([len(p.trace) for p in expected.values() if p.trace] + [6])
    _agree_bmc(compiled, expected, depth)
    _agree_pdr(compiled, expected)


def _agree_mined(compiled, expected):
    from ccrverify.symbolic import synthesis

    result, certificate = synthesis.check(compiled, list(expected), Limits(),
                                          lambda values: compiled)
    for name, p in expected.items():
        got = result.property(name)
        assert got.verdict.kind == p.verdict.kind, name
        if p.verdict.kind == "violated":  # one point: its counterexample is the shortest
            assert len(got.trace) == len(p.trace), name
    if certificate is not None:
        assert check_text(certificate).valid


MINED = list(_configs()) + [pytest.param("specs/ccr.py", {}, marks=pytest.mark.slow),
                            pytest.param("specs/ccr.py", {"mount_dial": 6},
                                         marks=pytest.mark.slow)]


@pytest.mark.parametrize(("spec", "knobs"), MINED)
def test_mined_proofs_agree_with_explicit(spec, knobs):
    compiled, expected = _explicit(spec, knobs)
    _agree_mined(compiled, expected)


# (knobs, property, BMC depth): CCR configurations cheap enough for the default suite.
CCR_BMC = [
    ({"renew_grace": 2, "witness_lease": 1}, "NoSplitBrain", 7),
    ({"renew_grace": 4, "witness_lease": 3}, "NoSplitBrain", 8),
    pytest.param({"renew_grace": 3, "witness_lease": 3}, "NoSplitBrain", 8,
                 marks=pytest.mark.slow),
    ({"mount_dial": 6}, "NoSplitBrain", 6),
    pytest.param({}, "NoLostAckedMail", 10, marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("knobs", "prop", "depth"), CCR_BMC)
def test_ccr_bmc_depth_is_the_explicit_shortest_counterexample(knobs, prop, depth):
    compiled, expected = _explicit("specs/ccr.py", knobs, [prop])
    _agree_bmc(compiled, expected, depth)


@pytest.mark.slow
def test_ccr_pdr_proves_no_split_brain_with_one_fault():
    compiled, expected = _explicit("specs/ccr.py", {"max_faults": 1}, ["NoSplitBrain"])
    assert expected["NoSplitBrain"].verdict.kind == "holds"
    _agree_pdr(compiled, expected)


@pytest.mark.slow
def test_ccr_pdr_proves_no_split_brain_at_default_knobs():
    compiled, expected = _explicit("specs/ccr.py", {}, ["NoSplitBrain"])
    assert expected["NoSplitBrain"].verdict.kind == "holds"
    _agree_pdr(compiled, expected)


@pytest.mark.slow
@pytest.mark.parametrize("knobs", [{"renew_grace": 3}, {"heartbeat_tolerance": 1}])
def test_ccr_pdr_agrees_with_explicit(knobs):
    compiled, expected = _explicit("specs/ccr.py", knobs, ["NoSplitBrain"])
    _agree_pdr(compiled, expected)


@pytest.mark.parametrize("top", [pytest.param(6, marks=pytest.mark.slow),
                                 pytest.param(3, marks=pytest.mark.slow)])
def test_ccr_synthesis_agrees_with_explicit(top):
    from ccrverify.symbolic.synthesis import synthesize

    loaded = load("specs/ccr.py")
    box = {"renew_grace": (1, top), "witness_lease": (1, top)}

    def concretize(values):
        return compile_model(loaded.build(dict(values)))

    result = synthesize(compile_model(loaded.build({}, symbolic=box)), "NoSplitBrain",
                        concretize)
    assert len(result.verdicts) == top * top
    for point, verdict in result.verdicts.items():
        _, expected = _explicit("specs/ccr.py", dict(point), ["NoSplitBrain"])
        assert verdict == expected["NoSplitBrain"].verdict.kind, point
    assert result.constraint == "renew_grace <= witness_lease"
    # The safe points are proved by region proofs from mined lemmas, not point by
    # point with Spacer; every region's certificate passed its independent check.
    assert result.calls["spacer"] == 0
    proved = {p for r in result.regions for p in r.points}
    assert proved == {p for p, v in result.verdicts.items() if v == "holds"}
    assert all(r.certificate_valid for r in result.regions)
