"""--counterexamples N: up to N shortest counterexamples per violated property,
distinct by their final state, from both explicit backends and from BMC."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import BACKENDS, ROOT, compiled, run_cli

from ccrverify.explicit.engine import check
from ccrverify.request import Request
from ccrverify.symbolic import bmc
from ccrverify.symbolic.common import Limits
from ccrverify.trace import Trace, replay

CCR = str(ROOT / "specs" / "ccr.py")


def _ends(traces: tuple[Trace, ...]) -> set[tuple[int, ...]]:
    return {t.steps[-1].values for t in traces}


def _replayed(c: object, trace: Trace, prop: str) -> None:
    again = replay(c, trace.init_index, trace.choices, violates=prop)  # type: ignore[arg-type]
    assert again.steps[-1].values == trace.steps[-1].values


@pytest.mark.parametrize("backend", BACKENDS)
def test_three_distinct_shortest_counterexamples_on_ccr(backend: str) -> None:
    c = compiled("ccr.py")
    result = check(c, Request(counterexamples=3), backend)
    found = result.property("NoLostAckedMail").traces
    assert len(found) == 3
    assert {len(t) for t in found} == {10}  # all shortest
    assert len(_ends(found)) == 3  # distinct final states
    for trace in found:
        _replayed(c, trace, "NoLostAckedMail")
    assert result.property("NoSplitBrain").traces == ()


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_counterexample_by_default(backend: str) -> None:
    result = check(compiled("ccr.py"), Request(), backend)
    assert len(result.property("NoLostAckedMail").traces) == 1


def test_both_backends_and_bmc_find_the_same_set_of_shortest_ends() -> None:
    """Asked for more than there are, every engine returns every state of the first
    violating level: the same set."""
    c = compiled("wsfc.py")
    sets = [_ends(check(c, Request(counterexamples=50), b).property("QuorumKept").traces)
            for b in BACKENDS]
    symbolic = bmc.check(c, ["QuorumKept"], Limits(depth=8, counterexamples=50))
    sets.append(_ends(symbolic.property("QuorumKept").traces))
    assert sets[0] == sets[1] == sets[2]
    assert len(sets[0]) == 16  # every violating state 5 actions from the start
    for trace in symbolic.property("QuorumKept").traces:
        assert len(trace) == 5
        _replayed(c, trace, "QuorumKept")


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
def test_bmc_blocks_earlier_ends(tmp_path: Path) -> None:
    status, out, _ = run_cli("prove", str(ROOT / "specs/wsfc.py"), "--engine",
                             "bmc", "--depth", "7", "--counterexamples", "2")
    assert status == 1
    assert out.count("Counterexample 1 of 2") == 1 and out.count("Counterexample 2 of 2") == 1


DEADLOCKING = '''
from ccrverify.lang import IntRange, Spec
spec = Spec("TwoWays")

@spec.model
def build(m):
    m.var("x", IntRange(0, 3), init=0)

    @m.action()
    def left(s):
        s.require(s.x == 0)
        s.x = 1

    @m.action()
    def right(s):
        s.require(s.x == 0)
        s.x = 2

@spec.invariant("Small")
def small(s):
    return s.x < 3
'''


@pytest.mark.parametrize("backend", BACKENDS)
def test_several_deadlocks(tmp_path: Path, backend: str) -> None:
    spec = tmp_path / "twoways.py"
    spec.write_text(DEADLOCKING)
    status, out, _ = run_cli("check", str(spec), "--engine", backend, "--counterexamples", "5")
    assert status == 1
    assert "Counterexample 2 of 2 to DeadlockFree" in out


def test_counterexamples_must_be_positive() -> None:
    proc = subprocess.run([sys.executable, "-m", "ccrverify.cli", "check", CCR,
                           "--counterexamples", "0"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "ccrverify: error: --counterexamples must be at least 1"


def test_exit_status_through_a_pipe() -> None:
    proc = subprocess.run(["bash", "-o", "pipefail", "-c",
                           f"{sys.executable} -m ccrverify.cli check {CCR} "
                           "--counterexamples 3 | tail -1"], capture_output=True, text=True)
    assert proc.returncode == 1
