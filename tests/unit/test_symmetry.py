"""Symmetry reduction: an index declared symmetric, one state per orbit.

The reduced counts are checked against orbits counted without symmetry.py
(`tests/orbit_count.py`: per-RM tuples of every reachable state of the
unreduced search sorted, and, at small sizes, every permutation tried);
verdicts and shortest counterexample lengths against the unreduced run, on
TwoPhase and TCommit with goal invariants that fail; counterexamples are real
paths (they replay); a declaration the model does not honour is refused in one
line; a run with temporal properties enumerates every state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import ROOT, compiled, run_cli, run_json
from orbit_count import by_permutations, by_sorting
from rm_goals import rm_model, safety

from ccrverify.compile import CompiledModel, compile_model
from ccrverify.errors import UsageError
from ccrverify.explicit import search, symmetry, vector
from ccrverify.explicit.bfs import Selection
from ccrverify.explicit.words import WordLayout
from ccrverify.loader import load
from ccrverify.model import PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult
from ccrverify.trace import replay

WIDE = str(ROOT / "tests" / "unit" / "wide_spec.py")
TWOPHASE = "specs/examples/twophase.py"


def orbits(model: CompiledModel, values: list[str], brute_force: bool = False) -> int:
    """Orbits of the unreduced run's reachable states, by sorting (and, when
    asked, also by every permutation, which must agree)."""
    states = vector.reachable(model)
    assert states is not None
    names = [s.name for s in model.model.slots]
    count = by_sorting(states.states, names, values)
    if brute_force:
        assert by_permutations(states.states, names, values) == count
    return count


def assert_same_answers(full: CheckResult, mine: CheckResult, model: CompiledModel) -> None:
    """Equal verdicts and shortest lengths; the reduced counterexamples replay."""
    assert mine.stats.depth == full.stats.depth
    assert [(p.name, p.verdict.kind, p.trace_length) for p in mine.properties] == [
        (p.name, p.verdict.kind, p.trace_length) for p in full.properties]
    assert any(p.verdict.kind == "violated" for p in mine.properties)
    for p in mine.properties:
        if p.trace is not None:
            again = replay(model, p.trace.init_index, p.trace.choices, violates=p.name,
                           deadlock=p.kind == PropertyKind.DEADLOCK_FREE)
            assert [s.values for s in again.steps] == [s.values for s in p.trace.steps]


def check_rm_model(spec: str, rm: int, brute_force: bool) -> None:
    plain = rm_model(spec, rm)
    reduced = rm_model(spec, rm, symmetric=True)
    full = search.check(plain, safety(plain))
    mine = search.check(reduced, safety(reduced))
    values = [f"r{i}" for i in range(1, rm + 1)]
    assert mine.stats.distinct_states == orbits(plain, values, brute_force)
    assert mine.stats.distinct_states < full.stats.distinct_states
    assert any("symmetry" in n for n in mine.notes)
    assert_same_answers(full, mine, reduced)
    off = search.check(reduced, Request(properties=safety(reduced).properties, symmetry=False))
    assert off.stats.distinct_states == full.stats.distinct_states


@pytest.mark.parametrize("rm", [3, 4, 5, 6])
def test_symmetric_twophase_counts_the_orbits(rm: int) -> None:
    check_rm_model("examples/twophase.py", rm, brute_force=True)


@pytest.mark.parametrize("rm", [3, 4, 5, 6, 8])
def test_symmetric_tcommit_counts_the_orbits(rm: int) -> None:
    check_rm_model("examples/tcommit.py", rm, brute_force=rm <= 6)


def test_symmetric_twophase_rm7_counts_the_orbits_by_sorting() -> None:
    check_rm_model("examples/twophase.py", 7, brute_force=False)


@pytest.mark.slow  # 13-30 s here, and 0.4 GB for the full run's states
def test_symmetric_twophase_rm8_counts_the_orbits_by_sorting() -> None:
    check_rm_model("examples/twophase.py", 8, brute_force=False)


@pytest.mark.parametrize("top", [3, 2**30], ids=["packed", "too wide to pack"])
def test_the_counters_agree_with_sets_of_sorted_tuples(top: int) -> None:
    rng = np.random.default_rng(7)
    names = ["x[a]", "x[b]", "x[c]", "g", "y[a]", "y[b]", "y[c]"]
    matrix = rng.integers(-1, top, size=(300, len(names)))
    matrix[:, 4:] = rng.integers(0, 2, size=(300, 3))
    plain = {(tuple(sorted(((r[0], r[4]), (r[1], r[5]), (r[2], r[6])))), r[3])
             for r in matrix.tolist()}
    assert by_sorting(matrix, names, ["a", "b", "c"]) == len(plain)
    if top == 3:
        assert by_permutations(matrix, names, ["a", "b", "c"]) == len(plain) < 300


def test_the_sorting_counter_counts_what_every_permutation_counts_on_wide() -> None:
    plain = wide(n=5)
    states = vector.reachable(plain)
    assert states is not None
    names = [s.name for s in plain.model.slots]
    values = [f"c{i}" for i in range(5)]
    assert by_sorting(states.states, names, values) == by_permutations(
        states.states, names, values) == 21


def wide(**knobs: Any) -> CompiledModel:
    return compile_model(load(WIDE).build(knobs))


def test_a_reduced_counterexample_is_as_short_and_replays() -> None:
    full = search.check(wide(n=5), Request())
    model = wide(n=5, symmetric=True)
    mine = search.check(model, Request())
    assert mine.stats.distinct_states == orbits(wide(n=5), [f"c{i}" for i in range(5)]) == 21
    for p in full.properties:
        q = mine.property(p.name)
        assert q.verdict.kind == p.verdict.kind and q.trace_length == p.trace_length
        if q.trace is not None:
            again = replay(model, q.trace.init_index, q.trace.choices,
                           violates=None if p.kind == PropertyKind.DEADLOCK_FREE else p.name,
                           deadlock=p.kind == PropertyKind.DEADLOCK_FREE)
            assert [s.values for s in again.steps] == [s.values for s in q.trace.steps]


@pytest.mark.parametrize("options", [{"workers": 2}, {"memory": 2**20}],
                         ids=["workers", "on disk"])
def test_reduction_with_workers_or_on_disk_agrees(options: dict[str, Any]) -> None:
    model = compiled("examples/twophase.py", rm=5, symmetric=True)
    alone = search.check(model, Request())
    other = search.check(model, Request(**options))
    assert (other.stats.distinct_states, other.stats.transitions) == (
        alone.stats.distinct_states, alone.stats.transitions)


def test_temporal_properties_are_decided_on_every_state() -> None:
    # AllDecide and DecisionsStay on the whole graph (a lasso through
    # representatives need not be a real lasso), and the safety properties beside
    # them from the same search.
    for prop in ("AllDecide", "DecisionsStay"):
        status, mine = run_json("check", TWOPHASE, "--set", "symmetric=true",
                                "--property", prop)
        _, full = run_json("check", TWOPHASE, "--property", prop)
        assert status == 0
        assert mine["stats"]["distinct_states"] == full["stats"]["distinct_states"] == 288
        assert [(p["name"], p["verdict"]) for p in mine["properties"]] == [(prop, "holds")]
        assert any("symmetry: the temporal properties were decided on every state" in n
                   for n in mine["notes"])
    status, mine = run_json("check", TWOPHASE, "--set", "symmetric=true")
    _, full = run_json("check", TWOPHASE)
    assert status == 0 and mine["stats"]["distinct_states"] == 288
    assert [(p["name"], p["verdict"]) for p in mine["properties"]] == [
        (p["name"], p["verdict"]) for p in full["properties"]]
    status, safety = run_json("check", TWOPHASE, "--set", "symmetric=true",
                              "--property", "TCConsistent")
    assert status == 0 and safety["stats"]["distinct_states"] == 80  # the orbits


def test_the_reduction_refuses_a_liveness_property_in_one_line() -> None:
    # The engine never hands it one (Selection keeps safety only); were it
    # handed AllDecide, the reduction must refuse rather than decide it.
    model = compiled("examples/twophase.py", rm=3, symmetric=True)
    live = model.model.property("AllDecide")
    selection = Selection((live,), tuple(False for _ in model.model.properties), False)
    with pytest.raises(UsageError, match="symmetry reduction cannot decide AllDecide") as err:
        symmetry.reduction(model, WordLayout.of(model), selection, Request())
    assert "\n" not in str(err.value)


ASYMMETRIC = '''"""Two nodes declared symmetric, but only a may crash."""
from ccrverify.lang import Bool, Spec

spec = Spec("Lopsided", __doc__)


@spec.model
def build(m):
    nodes = m.index("Node", ["a", "b"], symmetric=True)
    m.var("up", Bool(), over=nodes, init=True)

    @m.action()
    def crash(s):
        s.up["a"] = False


@spec.invariant("SomeUp")
def some_up(s):
    return s.up["a"] | s.up["b"]
'''


def test_a_declaration_the_model_breaks_is_refused_with_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "lopsided.py"
    spec.write_text(ASYMMETRIC)
    status, out, err = run_cli("check", str(spec), "--engine", "numpy")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "symmetric" in err and "actions" in err
    assert "Traceback" not in err
    status, _, err = run_cli("check", str(spec), "--engine", "numpy", "--no-symmetry")
    assert status == 0, err


def test_symmetric_checks_keep_the_exit_status_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check {WIDE} "
                           "--set symmetric=true --engine numpy | true; echo ${PIPESTATUS[0]}"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1", done.stderr


def test_a_bad_symmetric_knob_is_one_line() -> None:
    for spec in (TWOPHASE, str(ROOT / "specs/examples/tcommit.py")):
        status, out, err = run_cli("check", spec, "--set", "symmetric=perhaps")
        assert status == 2 and out == "", spec
        assert err.count("\n") == 1 and "symmetric" in err and "Traceback" not in err
