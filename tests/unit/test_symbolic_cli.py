"""`ccrverify prove`: result JSON, exit statuses, certificates, refusals."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ccrverify.cli import main
from ccrverify.symbolic.certificate import check_text

TOY = str(Path(__file__).parent / "symbolic_limitcap_spec.py")


def _prove(capsys, *args):
    status = main(["prove", *args, "--json"])
    return status, json.loads(capsys.readouterr().out)


def test_bmc_json_has_method_bound_and_certificate(capsys):
    status, out = _prove(capsys, "specs/examples/diehard.py", "--method", "bmc", "--depth", "10")
    assert status == 1
    assert (out["engine"], out["method"], out["bound"], out["certificate"]) == (
        "z3-bmc", "bmc", 10, None)
    prop, deadlock = out["properties"]  # DieHard has no deadlock: some jug move always fits
    assert prop["verdict"] == "violated" and prop["trace_length"] == 6
    assert deadlock["name"] == "DeadlockFree" and deadlock["verdict"] == "bounded(10)"
    status, out = _prove(capsys, "specs/examples/diehard.py", "--method", "bmc", "--depth", "4")
    assert status == 3 and out["properties"][0]["verdict"] == "bounded(4)"


def test_pdr_writes_a_certificate_that_checks(capsys, tmp_path):
    cert = tmp_path / "cert.smt2"
    # Its safety properties (the liveness ones take pdr longer: test_symbolic_kliveness).
    status, out = _prove(capsys, "specs/examples/twophase.py", "--set", "rm=2", "--method",
                         "pdr", "--certificate", str(cert), "--property", "TCConsistent",
                         "--property", "DeadlockFree")
    assert status == 0 and out["certificate"] == str(cert)
    assert out["properties"][0]["verdict"] == "holds"
    assert check_text(cert.read_text()).valid


def test_symbolic_knobs_prove_and_name_the_knob_values_of_a_counterexample(capsys):
    status, out = _prove(capsys, TOY, "--method", "pdr", "--symbolic", "limit=1..4",
                         "--symbolic", "cap=1..4")
    assert status == 1
    assert out["knobs"]["limit"] == "1..4"
    props = {p["name"]: p for p in out["properties"]}
    capped = props["Capped"]
    assert capped["verdict"] == "violated"
    assert capped["knob_values"]["limit"] > capped["knob_values"]["cap"]
    assert capped["trace_length"] == capped["knob_values"]["cap"] + 1
    assert props["YBelowWidth"]["verdict"] == "holds"
    status, out = _prove(capsys, TOY, "--method", "kind", "--symbolic", "limit=1..3",
                         "--set", "cap=3")
    assert status == 0 and {p["verdict"] for p in out["properties"]} == {"holds"}


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
def test_mined_proof_covers_a_knob_range_with_one_certificate(capsys, tmp_path):
    cert = tmp_path / "range.smt2"
    status, out = _prove(capsys, "specs/ccr.py", "--property", "NoSplitBrain", "--method",
                         "mined", "--symbolic", "witness_lease=1..4", "--certificate", str(cert))
    assert status == 0 and (out["engine"], out["method"]) == ("z3-mined", "mined")
    (prop,) = out["properties"]
    assert prop["verdict"] == "holds"
    assert prop["points"] == {"holds": 4, "violated": 0, "unknown": 0}
    assert check_text(cert.read_text()).valid
    # A range with unsafe values: a replayed counterexample naming its knob values.
    status, out = _prove(capsys, TOY, "--method", "mined", "--symbolic", "limit=1..4",
                         "--set", "cap=2", "--property", "Capped")
    (prop,) = out["properties"]
    assert status == 1 and prop["verdict"] == "violated"
    assert prop["knob_values"]["limit"] > 2 and prop["trace_length"] == 3


def test_a_structural_knob_is_refused_with_the_reason(capsys):
    status = main(["prove", "specs/examples/twophase.py", "--symbolic", "rm=2..3"])
    err = capsys.readouterr().err
    assert status == 2
    assert "rm" in err and "structural" in err and "twophase.py:" in err
    assert main(["prove", "specs/ccr.py", "--symbolic", "handoff=0..1"]) == 2
    assert "boolean" in capsys.readouterr().err
    assert main(["prove", TOY, "--symbolic", "limit=3"]) == 2


def test_check_never_imports_z3():
    code = ("import sys; from ccrverify.cli import main; "
            "main(['check', 'specs/examples/diehard.py', '--json']); "
            "sys.exit(3 if 'z3' in sys.modules else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 0
