"""The classic models against BENCHMARKS.md's reference numbers (TLC's counts)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import BACKENDS, compiled, run_cli, run_json

from ccrverify.compile import compile_model
from ccrverify.explicit import engine
from ccrverify.explicit.bfs import check
from ccrverify.lang.spec import deadlock_freedom

TWOPHASE = {3: (288, 1145, 10), 4: (1568, 8257, 13), 5: (8832, 58145, 16),
            6: (50816, 402305, 19)}
TCOMMIT = {3: (34, 93, 6), 4: (96, 356, 8), 5: (274, 1295, 10), 6: (792, 4566, 12)}


def counts(spec: str, **knobs: int) -> tuple[int, int, int]:
    """The counts of both backends, which must agree."""
    found = set()
    for backend in BACKENDS:
        result = engine.check(compiled(spec, **knobs), backend=backend)
        assert result.complete
        s = result.stats
        found.add((s.distinct_states, s.transitions, s.depth))
    assert len(found) == 1, f"backends disagree: {found}"
    return found.pop()


@pytest.mark.parametrize("rm", sorted(TWOPHASE))
def test_twophase_counts(rm: int) -> None:
    assert counts("examples/twophase.py", rm=rm) == TWOPHASE[rm]


@pytest.mark.parametrize("rm", sorted(TCOMMIT))
def test_tcommit_counts(rm: int) -> None:
    assert counts("examples/tcommit.py", rm=rm) == TCOMMIT[rm]


def test_peterson_counts_and_mutual_exclusion() -> None:
    result = check(compiled("examples/peterson.py"))
    assert (result.stats.distinct_states, result.stats.transitions, result.stats.depth) == (
        42, 76, 10)
    assert result.property("MutualExclusion").verdict.kind == "holds"


@pytest.mark.parametrize("backend", BACKENDS)
def test_diehard_full_space_and_shortest_solution(backend: str) -> None:
    result = engine.check(compiled("examples/diehard.py"), backend=backend)
    assert (result.stats.distinct_states, result.stats.transitions, result.stats.depth) == (
        16, 96, 7)
    not_solved = result.property("NotSolved")
    assert not_solved.verdict.kind == "violated"
    assert not_solved.trace is not None and len(not_solved.trace) == 6
    assert not_solved.trace.steps[-1].state["big"] == 4


def test_twophase_and_tcommit_agree_on_consistency() -> None:
    for spec in ("examples/twophase.py", "examples/tcommit.py"):
        assert check(compiled(spec, rm=4)).property("TCConsistent").verdict.kind == "holds"


def test_twophase_cli_json_acceptance() -> None:
    status, data = run_json("check", "specs/examples/twophase.py", "--set", "rm=6")
    assert status == 0
    assert data["complete"] is True
    assert data["stats"]["distinct_states"] == 50816
    assert set(data) >= {"model", "knobs", "engine", "stats", "properties", "complete"}
    assert set(data["stats"]) == {"distinct_states", "transitions", "depth", "seconds",
                                  "states_per_second", "peak_memory_bytes"}
    for prop in data["properties"]:
        assert {"name", "verdict", "trace_length", "trace"} <= set(prop)


def test_diehard_cli_prints_the_trace_and_exits_1() -> None:
    status, out, _ = run_cli("check", "specs/examples/diehard.py")
    assert status == 1
    assert "Counterexample to NotSolved (6 actions" in out
    assert "big=4" in out


@pytest.mark.parametrize("backend", BACKENDS)
def test_tcommit_declares_terminal_states_but_deadlock_is_found_without(backend: str) -> None:
    model = compiled("examples/tcommit.py", rm=2).model
    assert "DeadlockFree" not in [p.name for p in check(compile_model(model)).properties]
    # The same model without the declaration has a shortest deadlock: both RMs abort.
    undeclared = engine.check(compile_model(replace(
        model, terminal_states=False,
        properties=model.properties + (deadlock_freedom(model.actions),))), backend=backend)
    deadlock = undeclared.property("DeadlockFree")
    assert deadlock.verdict.kind == "violated"
    assert deadlock.trace is not None and len(deadlock.trace) == 2
    assert sorted(deadlock.trace.labels) == ["DecideAbort(r1)", "DecideAbort(r2)"]


@pytest.mark.slow
def test_twophase_rm8_reference_counts() -> None:
    assert counts("examples/twophase.py", rm=8) == (1745408, 18507777, 25)
