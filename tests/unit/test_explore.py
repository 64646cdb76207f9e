"""The Hypothesis explorer: verdicts, shrunk traces, coverage, budgets, the
choice encoding, polishing and the example database."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from ccrverify.compile import CompiledModel, compile_model
from ccrverify.errors import UsageError
from ccrverify.explicit.bfs import check as enumerate_states
from ccrverify.explicit.codegen import build_kernel
from ccrverify.explore.polish import polish
from ccrverify.explore.search import explore
from ccrverify.explore.walk import Walker, Witness
from ccrverify.loader import REPO_ROOT, load
from ccrverify.request import Request

DIEHARD = REPO_ROOT / "specs" / "examples" / "diehard.py"
TWOPHASE = REPO_ROOT / "specs" / "examples" / "twophase.py"
CCR = REPO_ROOT / "specs" / "ccr.py"

COUNTDOWN = '''
    """Countdown: n falls from 3 to 0, then nothing is enabled."""
    from ccrverify.lang import IntRange, Spec

    spec = Spec("Countdown", __doc__)

    @spec.model
    def build(m):
        m.var("n", IntRange(0, 3), init=3)

        @m.action()
        def down(s):
            s.require(s.n > 0)
            s.n = s.n - 1

        @m.action()
        def never(s):
            s.require(s.n > 3)
            s.n = 0
'''

CLIMB = Path(__file__).parent / "climb_spec.py"  # Low breaks at 2 with low=2


STARTS = '''
    """Starts: x starts anywhere in 0..4 and falls; Positive breaks when it reaches 0."""
    from ccrverify.lang import IntRange, OneOf, Spec

    spec = Spec("Starts", __doc__)

    @spec.model
    def build(m):
        m.var("x", IntRange(0, 4), init=OneOf([4, 3, 2]))

        @m.action()
        def down(s):
            s.require(s.x > 0)
            s.x = s.x - 1

        @m.action()
        def stay(s):
            s.x = s.x

    @spec.invariant("Positive", "x stays above 0.")
    def positive(s):
        return s.x > 0
'''


def compiled_from(path: Path, knobs: dict[str, Any] | None = None) -> CompiledModel:
    return compile_model(load(str(path)).build(knobs or {}))


def write_spec(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    return path


def quick(**changes: Any) -> Request:
    values: dict[str, Any] = {"seed": 0, "max_examples": 200}
    values.update(changes)
    return Request(**values)


# -- verdicts and traces -------------------------------------------------------------------
def test_diehard_violation_is_found_shrunk_and_replayed() -> None:
    result = explore(compiled_from(DIEHARD), quick())
    solved = result.property("NotSolved")
    assert str(solved.verdict) == "violated"
    assert solved.trace is not None and solved.trace.ends_in == "violation of NotSolved"
    assert 6 <= len(solved.trace) <= 8  # 6 is the shortest solution
    assert solved.trace.steps[-1].state["big"] == 4
    assert solved.to_json()["first_found"]["length"] >= solved.to_json()["shrunk_length"]
    assert result.engine == "explore" and result.complete is False
    assert result.exit_status() == 1
    deadlock = result.property("DeadlockFree")
    assert deadlock.verdict.kind == "unknown" and "random runs" in deadlock.verdict.reason


def test_unknown_is_never_holds_and_exits_3() -> None:
    result = explore(compiled_from(TWOPHASE, {"rm": 2}), quick(max_examples=50))
    assert {p.verdict.kind for p in result.properties} == {"unknown"}
    assert result.exit_status() == 3


def test_deadlock_is_a_verdict_not_an_error(tmp_path: Path) -> None:
    compiled = compiled_from(write_spec(tmp_path, "countdown", COUNTDOWN))
    result = explore(compiled, quick())
    deadlock = result.property("DeadlockFree")
    assert str(deadlock.verdict) == "violated"
    assert deadlock.trace is not None and deadlock.trace.ends_in == "deadlock"
    assert deadlock.trace.labels == ["Down", "Down", "Down"]
    silent = explore(compiled, quick(check_deadlock=False))
    assert [p.name for p in silent.properties] == []


def test_every_property_gets_its_own_search(tmp_path: Path) -> None:
    # Every run that reaches x = 6 breaks Low first, so High needs a second search.
    result = explore(compiled_from(CLIMB, {"low": 2}), quick())
    assert len(result.property("Low").trace or ()) == 2
    assert len(result.property("High").trace or ()) == 6
    assert result.to_json()["coverage"]["searches"] >= 2


def test_initial_state_is_drawn_and_shrunk(tmp_path: Path) -> None:
    result = explore(compiled_from(write_spec(tmp_path, "starts", STARTS)), quick())
    trace = result.property("Positive").trace
    assert trace is not None and trace.labels == ["Down", "Down"]
    assert trace.steps[0].state["x"] == 2


def test_selected_properties_only(tmp_path: Path) -> None:
    compiled = compiled_from(CLIMB, {"low": 2})
    result = explore(compiled, quick(properties=("High",), check_deadlock=False))
    assert [p.name for p in result.properties] == ["High"]
    assert result.property("High").trace is not None


# -- coverage --------------------------------------------------------------------------------
def test_coverage_adds_up_and_names_what_never_fired(tmp_path: Path) -> None:
    countdown = compiled_from(write_spec(tmp_path, "countdown", COUNTDOWN))
    result = explore(countdown, quick(check_deadlock=False))
    coverage = result.to_json()["coverage"]
    assert coverage["never_fired"] == ["Never"]
    assert coverage["never_fired_instances"] == ["Never"]
    assert coverage["action_counts"]["Down"] == coverage["steps"] > 0
    assert coverage["distinct_states"] == 4 == result.stats.distinct_states
    assert result.stats.transitions == coverage["steps"]
    assert result.stats.depth == coverage["longest_run"] == 3
    assert any("never fired: Never" in note for note in result.notes)


def test_coverage_counts_every_step() -> None:
    result = explore(compiled_from(TWOPHASE, {"rm": 2}), quick(max_examples=30, steps=40))
    coverage = result.to_json()["coverage"]
    assert sum(coverage["action_counts"].values()) == coverage["steps"]
    assert coverage["longest_run"] == 40
    assert coverage["steps"] <= coverage["runs"] * 40
    assert coverage["steps_per_second"] > 0


# -- reproducibility and budgets -------------------------------------------------------------
def test_same_seed_same_run() -> None:
    def run() -> tuple[Any, ...]:
        result = explore(compiled_from(DIEHARD), quick(max_examples=100))
        coverage = dict(result.to_json()["coverage"])
        del coverage["seconds"], coverage["steps_per_second"]
        trace = result.property("NotSolved").trace
        return coverage, None if trace is None else trace.choices

    assert run() == run()


@pytest.mark.parametrize("steps", [100, 5000])  # out of time between runs, and inside one
def test_time_limit_is_honoured(steps: int) -> None:
    result = explore(compiled_from(TWOPHASE),
                     quick(max_examples=10**9, time_limit=0.5, steps=steps))
    assert result.stats.seconds < 5
    assert all("time limit" in p.verdict.reason for p in result.properties)
    assert any(note.startswith("incomplete") for note in result.notes)
    assert result.to_json()["coverage"]["steps"] > 0


def test_interruption_keeps_what_was_found(tmp_path: Path) -> None:
    def interrupt_after_first_find(progress: Any) -> None:
        if progress.found:
            raise KeyboardInterrupt

    options = quick(max_examples=10**6, progress=interrupt_after_first_find,
                    progress_every=0.0)
    result = explore(compiled_from(CLIMB, {"low": 2}), options)
    assert str(result.property("Low").verdict) == "violated"
    assert "interrupted" in result.property("High").verdict.reason


def test_options_are_validated() -> None:
    with pytest.raises(UsageError):
        explore(compiled_from(DIEHARD), Request(steps=0))
    with pytest.raises(UsageError):
        explore(compiled_from(DIEHARD), Request(max_examples=0))


# -- the choice encoding ---------------------------------------------------------------------
def scripted(values: list[int]) -> Any:
    queue = list(values)
    return lambda lo, hi: max(lo, min(hi, queue.pop(0)))


def test_a_drawn_value_names_an_instance_or_wraps() -> None:
    compiled = compiled_from(DIEHARD)
    walker = Walker(compiled, build_kernel(compiled), Request(swarm=False, steps=3))
    names = [a.label for a in compiled.actions]
    fill_big = names.index("FillBig")
    # 1st: FillBig is enabled, so it is taken; 2nd: FillBig again (a self-loop);
    # 3rd: 5 is BigToSmall, enabled too.
    assert walker.run(scripted([fill_big, fill_big, 5]), []) is None
    assert walker.coverage.counts[fill_big] == 2 and walker.coverage.counts[5] == 1
    # From the start EmptySmall (2) and SmallToBig (4) are self-loops; every
    # instance is enabled in DieHard, so values always name their instance.
    assert walker.coverage.steps == 3 and walker.coverage.runs == 1


def test_swarm_restricts_runs_to_the_drawn_kinds() -> None:
    compiled = compiled_from(DIEHARD)
    walker = Walker(compiled, build_kernel(compiled), Request(swarm=True, steps=5))
    kinds = [a.name for a in compiled.actions]
    # rate 200: a kind is allowed when its draw + 200 < 255; only FillSmall (draw 0).
    draws = [200] + [0 if k == "FillSmall" else 100 for k in kinds] + [5] * 5
    walker.run(scripted(draws), [])
    assert walker.coverage.counts[kinds.index("FillSmall")] == 5
    assert sum(walker.coverage.counts) == 5


def test_polish_deletes_steps_the_violation_does_not_need() -> None:
    compiled = compiled_from(DIEHARD)
    kernel = build_kernel(compiled)
    index = {a.label: i for i, a in enumerate(compiled.actions)}
    detour = ["FillSmall", "EmptySmall", "FillBig", "BigToSmall", "EmptySmall", "FillSmall",
              "EmptySmall", "BigToSmall", "FillBig", "BigToSmall"]
    witness = Witness(0, tuple(index[name] for name in detour))
    polished = polish(kernel, compiled.init_states(), witness, 0, len(compiled.model.properties))
    assert [compiled.actions[i].label for i in polished.choices] == [
        "FillBig", "BigToSmall", "EmptySmall", "BigToSmall", "FillBig", "BigToSmall"]


# -- the example database ----------------------------------------------------------------------
def test_database_replays_a_failure_first(tmp_path: Path) -> None:
    compiled = compiled_from(DIEHARD)
    options = Request(max_examples=300, database=tmp_path / "db", check_deadlock=False)
    first = explore(compiled, options)
    assert any((tmp_path / "db" / "hypothesis").rglob("*"))
    second = explore(compiled, options)
    found = second.property("NotSolved").to_json()["first_found"]
    assert found["after_steps"] <= first.property("NotSolved").to_json()["shrunk_length"]


def test_seeded_runs_keep_no_database(tmp_path: Path) -> None:
    explore(compiled_from(DIEHARD), quick(database=tmp_path / "db"))
    assert not (tmp_path / "db").exists()


# -- the CCR model (PROTOCOL.md) -----------------------------------------------------------------
needs_ccr = pytest.mark.skipif(not CCR.is_file(), reason="specs/ccr.py not present")


def shortest(compiled: CompiledModel, prop: str) -> int:
    trace = enumerate_states(compiled, Request((prop,))).property(prop).trace
    assert trace is not None
    return len(trace)


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
@needs_ccr
def test_ccr_default_loses_acked_mail() -> None:
    compiled = compiled_from(CCR)
    result = explore(compiled, quick(properties=("NoLostAckedMail",), max_examples=1000,
                                     time_limit=30))
    trace = result.property("NoLostAckedMail").trace
    assert trace is not None
    assert len(trace) <= shortest(compiled, "NoLostAckedMail") + 2


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
@needs_ccr
def test_ccr_long_renew_grace_splits_the_brain() -> None:
    compiled = compiled_from(CCR, {"renew_grace": 3})
    result = explore(compiled, quick(properties=("NoSplitBrain",), max_examples=1000,
                                     time_limit=30))
    trace = result.property("NoSplitBrain").trace
    assert trace is not None
    assert len(trace) <= shortest(compiled, "NoSplitBrain") + 2


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
@needs_ccr
def test_ccr_far_beyond_enumeration() -> None:
    knobs = {"messages": 6, "max_faults": 5, "heartbeat_tolerance": 5, "witness_lease": 4}
    result = explore(compiled_from(CCR, knobs), quick(max_examples=1000, time_limit=60))
    assert str(result.property("NoLostAckedMail").verdict) == "violated"
    assert result.property("NoSplitBrain").verdict.kind == "unknown"
    coverage = result.to_json()["coverage"]
    assert coverage["steps"] > 10_000 and coverage["distinct_states"] > 1_000
    assert set(coverage["action_counts"]) >= {"Failover", "Crash", "Tick", "Deliver"}


@needs_ccr
@pytest.mark.slow
def test_ccr_speed() -> None:
    result = explore(compiled_from(CCR), quick(max_examples=2000))
    assert result.to_json()["coverage"]["steps_per_second"] >= 3_000
