"""The engine seam: an engine is one module plus one registry line, and then it
runs through check, sweep and ccrverify.testing; engines refuse what they
cannot decide; every engine implements the protocol."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

from ccrverify import engines, testing
from ccrverify.errors import UsageError

ROOT_DIR = Path(__file__).resolve().parent
STARTS_BAD = '''
from ccrverify.lang import IntRange, Spec

spec = Spec("StartsBad")
spec.knob("top", 3, lo=1)


@spec.model
def build(m):
    m.var("x", IntRange(0, m.k.top), init=m.k.top)

    @m.action()
    def down(s):
        s.require(s.x > 0)
        s.x = s.x - 1


@spec.invariant("Small")
def small(s):
    return s.x < s.k.top
'''


@pytest.fixture()
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(engines.REGISTRY, "toy", "toy_engine:ENGINE")  # the one line


def test_a_toy_engine_runs_through_check_sweep_and_testing(toy: None, tmp_path: Path) -> None:
    spec = tmp_path / "starts_bad.py"
    spec.write_text(STARTS_BAD)
    status, out, err = run_cli("check", str(spec), "--engine", "toy", "--json")
    assert status == 1, err
    data = json.loads(out)
    assert data["engine"] == "toy"
    assert [(p["name"], p["verdict"], p["trace_length"]) for p in data["properties"]] == [
        ("Small", "violated", 0), ("DeadlockFree", "unknown", None)]
    assert data["properties"][1]["reason"] == "engine toy does not decide deadlock-free " \
        "properties"
    status, out, err = run_cli("sweep", str(spec), "--grid", "top=1..2", "--engine", "toy",
                               "--no-store", "--jobs", "1", "--json")
    assert status == 3, err  # unknown where the toy cannot tell
    points = json.loads(out)["points"]
    assert [p["properties"][0]["verdict"] for p in points] == ["violated", "violated"]
    trace = testing.assert_violated(spec, "Small", engine="toy")
    assert len(trace) == 0
    status, _, err = run_cli("check", str(spec), "--engine", "toy", "--property",
                             "DeadlockFree")
    assert status == 2 and "cannot decide deadlock-free" in err


def test_every_registered_engine_implements_the_protocol() -> None:
    for name in engines.names():
        engine = engines.engine(name)
        assert isinstance(engine, engines.Engine) and engine.name == name
        assert engine.decides and engine.verdicts and engine.summary


def test_engine_names_and_aliases() -> None:
    assert engines.engine("prove").name == "pdr"  # sweep --engine prove, as before
    assert engines.engine("auto").name == "explicit"  # check --backend auto
    with pytest.raises(UsageError, match="unknown engine"):
        engines.engine("nope")


def test_the_old_flags_still_choose_the_same_engines() -> None:
    diehard = str(ROOT / "specs/examples/diehard.py")
    for argv, engine in ([["check", diehard, "--backend", "python"], "explicit"],
                         [["prove", diehard, "--method", "bmc", "--depth", "8"], "z3-bmc"],
                         [["check", diehard, "--engine", "bmc", "--depth", "8"], "z3-bmc"],
                         [["explore", diehard, "--seed", "0", "--max-examples", "50"],
                          "explore"]):
        status, out, _ = run_cli(*argv, "--json")
        assert status == 1 and json.loads(out)["engine"] == engine


def test_check_does_not_load_z3_or_hypothesis() -> None:
    code = ("import sys; from ccrverify.cli import main; main(['check', 'examples/diehard', "
            "'--json']); print(sorted(m for m in ('z3', 'hypothesis') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.stdout.strip().splitlines()[-1] == "[]"
