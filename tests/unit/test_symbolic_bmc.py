"""BMC: shortest counterexamples, replayed; bounded(K) when there is none."""

from ccrverify.compile import compile_model
from ccrverify.loader import load
from ccrverify.symbolic import bmc, kinduction
from ccrverify.symbolic.certificate import check_text
from ccrverify.symbolic.common import Limits


def test_diehard_is_solved_in_six_steps():
    compiled = compile_model(load("specs/examples/diehard.py").build())
    result = bmc.check(compiled, limits=Limits(depth=10))
    p = result.property("NotSolved")
    assert p.verdict.kind == "violated"
    assert len(p.trace) == 6 and p.to_json()["depth"] == 6
    assert p.trace.steps[-1].state["big"] == 4
    assert result.exit_status() == 1
    data = result.to_json()
    assert {k: data[k] for k in ("method", "bound", "certificate")} == {
        "method": "bmc", "bound": 10, "certificate": None}


def test_no_violation_within_the_bound_is_bounded_never_holds():
    compiled = compile_model(load("specs/examples/diehard.py").build())
    p = bmc.check(compiled, limits=Limits(depth=5)).property("NotSolved")
    assert str(p.verdict) == "bounded(5)" and p.trace is None
    twophase = compile_model(load("specs/examples/twophase.py").build({"rm": 2}))
    result = bmc.check(twophase, limits=Limits(depth=8))
    assert str(result.property("TCConsistent").verdict) == "bounded(8)"
    assert result.exit_status() == 3


def test_ccr_split_brain_with_renew_grace_3_takes_six_actions():
    compiled = compile_model(load("specs/ccr.py").build({"renew_grace": 3}))
    p = bmc.check(compiled, ["NoSplitBrain"], Limits(depth=12)).property("NoSplitBrain")
    assert p.verdict.kind == "violated" and len(p.trace) == 6
    final = p.trace.steps[-1].state["role"]
    assert final == {"A": "active", "B": "active"}


def test_kinduction_proves_and_refutes():
    diehard = compile_model(load("specs/examples/diehard.py").build())
    p = kinduction.check(diehard, limits=Limits(max_k=8))[0].property("NotSolved")
    assert p.verdict.kind == "violated" and len(p.trace) == 6
    one = compile_model(load("specs/examples/twophase.py").build({"rm": 1}))
    result, (certificate,) = kinduction.check(one, ["TCConsistent"], Limits(max_k=3))
    p = result.property("TCConsistent")
    assert p.verdict.kind == "holds" and p.to_json()["k"] == 1
    assert check_text(certificate.text).valid


def test_kinduction_reports_when_k_runs_out():
    twophase = compile_model(load("specs/examples/twophase.py").build({"rm": 2}))
    p = kinduction.check(twophase, limits=Limits(max_k=3))[0].property("TCConsistent")
    assert p.verdict.kind == "unknown" and "k <= 3" in p.verdict.reason


def test_kinduction_writes_a_certificate_the_cli_can_recheck(tmp_path):
    from pathlib import Path

    from ccrverify.cli import main

    toy = str(Path(__file__).parent / "symbolic_limitcap_spec.py")
    cert = tmp_path / "kind.smt2"
    assert main(["prove", toy, "--method", "kind", "--property", "Capped",
                 "--certificate", str(cert)]) == 0
    verdict = check_text(cert.read_text())
    assert verdict.valid and len(verdict.answers) == 2  # one base query, one step query
