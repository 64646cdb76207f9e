"""PDR certificates: valid ones pass in a fresh context and in the z3 binary;
broken ones are rejected."""

import shutil
import subprocess

import pytest

from ccrverify.compile import compile_model
from ccrverify.loader import load
from ccrverify.symbolic import spacer
from ccrverify.symbolic.certificate import check_text


@pytest.fixture(scope="module")
def twophase_proof():
    compiled = compile_model(load("specs/examples/twophase.py").build({"rm": 2}))
    result, certificate = spacer.check(compiled, ["TCConsistent"])
    return result, certificate


def test_pdr_proves_twophase_with_a_checked_certificate(twophase_proof):
    result, certificate = twophase_proof
    p = result.property("TCConsistent")
    assert p.verdict.kind == "holds"
    assert set(p.to_json()["certificate_check"].values()) == {"unsat"}
    assert any("rm_state[r1]" in lemma for lemma in p.to_json()["invariant"])
    verdict = check_text(certificate.text)
    assert verdict.valid and len(verdict.answers) == 3


def _definition(text, prefix):
    """(first line, body lines) of a define-fun: the body runs to the next top-level form."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    end = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("("))
    return lines, at, end


def _replace_invariant(text, body):
    lines, at, end = _definition(text, "(define-fun inv_")
    lines[at + 1:end] = ["  " + body + ")"]
    return "\n".join(lines) + "\n"


def test_a_broken_certificate_is_rejected(twophase_proof):
    _, certificate = twophase_proof
    too_weak = check_text(_replace_invariant(certificate.text, "true"))
    assert not too_weak.valid and too_weak.failed == ["TCConsistent: Inv => P"]
    too_strong = check_text(_replace_invariant(certificate.text, "false"))
    assert not too_strong.valid and too_strong.failed == ["TCConsistent: Init => Inv"]
    # P itself is not inductive for two-phase commit: the step obligation fails.
    lines, at, end = _definition(certificate.text, "(define-fun prop_")
    prop_body = " ".join(lines[at + 1:end]).strip()[:-1]
    not_inductive = check_text(_replace_invariant(certificate.text, prop_body))
    assert not not_inductive.valid
    assert not_inductive.failed == ["TCConsistent: Inv and T => Inv'"]
    assert not check_text(certificate.text.replace("\n(check-sat)\n", "\n", 1)).valid
    assert not check_text("(assert").valid


@pytest.mark.skipif(shutil.which("z3") is None, reason="no z3 binary")
def test_the_z3_binary_answers_unsat_to_every_query(twophase_proof, tmp_path):
    _, certificate = twophase_proof
    path = tmp_path / "cert.smt2"
    path.write_text(certificate.text)
    out = subprocess.run(["z3", str(path)], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["unsat"] * 3


def test_pdr_does_not_say_holds_when_the_invariant_fails_the_check(monkeypatch):
    compiled = compile_model(load("specs/examples/twophase.py").build({"rm": 2}))

    def bogus(enc, prop, clock, knob_constraint=None, domains=False):
        return "sat", enc.z.true, ""  # "true" is inductive but does not imply P

    monkeypatch.setattr(spacer, "spacer", bogus)
    result, certificate = spacer.check(compiled, ["TCConsistent"])
    p = result.property("TCConsistent")
    assert p.verdict.kind == "unknown" and "Inv => P" in p.verdict.reason
    assert certificate is None and result.exit_status() == 3
