"""Symmetry reduction: an index declared symmetric, one state per orbit.

The reduced counts are checked against orbits counted here by brute force
(every permutation of the index's values applied to every reachable state of
the unreduced search); verdicts and shortest lengths against the unreduced
run; counterexamples are real paths (they replay); a declaration the model
does not honour is refused in one line."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import ROOT, compiled, run_cli

from ccrverify.compile import CompiledModel, compile_model
from ccrverify.errors import UsageError
from ccrverify.explicit import search, symmetry, vector
from ccrverify.loader import load
from ccrverify.model import PropertyKind
from ccrverify.request import Request
from ccrverify.trace import replay

WIDE = str(ROOT / "tests" / "unit" / "wide_spec.py")


def orbits(model: CompiledModel, index_values: list[str]) -> int:
    """Distinct states up to renaming the index values, by brute force."""
    states = vector.reachable(model)
    assert states is not None
    matrix = states.states
    names = [s.name for s in model.model.slots]
    # column of name[value] for every map over the index
    per_value = {v: [i for i, n in enumerate(names) if n.endswith(f"[{v}]")]
                 for v in index_values}
    matrix = matrix - matrix.min(axis=0)  # (a permutation swaps columns of equal domains)
    base = int(matrix.max()) + 1
    assert base ** matrix.shape[1] < 2**63  # a state as one integer, digit by digit
    weights = base ** np.arange(matrix.shape[1], dtype=np.int64)
    best = None
    for perm in itertools.permutations(index_values):
        columns = list(range(len(names)))
        for v, w in zip(index_values, perm, strict=True):
            for a, b in zip(per_value[v], per_value[w], strict=True):
                columns[a] = b
        code = matrix[:, columns] @ weights
        best = code if best is None else np.minimum(best, code)
    assert best is not None
    return len(np.unique(best))


@pytest.mark.parametrize("rm", [3, 4, 5, pytest.param(6, marks=pytest.mark.slow)])
def test_symmetric_twophase_counts_the_orbits(rm: int) -> None:
    plain = compiled("examples/twophase.py", rm=rm)
    reduced = compiled("examples/twophase.py", rm=rm, symmetric=True)
    full = search.check(plain, Request())
    mine = search.check(reduced, Request())
    assert mine.stats.distinct_states == orbits(plain, [f"r{i}" for i in range(1, rm + 1)])
    assert mine.stats.distinct_states < full.stats.distinct_states
    assert mine.stats.depth == full.stats.depth
    assert [(p.name, p.verdict.kind) for p in mine.properties] == [
        (p.name, p.verdict.kind) for p in full.properties]
    assert any("symmetry" in n for n in mine.notes)
    off = search.check(reduced, Request(symmetry=False))
    assert off.stats.distinct_states == full.stats.distinct_states


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


def test_liveness_kinds_are_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # This branch has no liveness properties yet: pretend invariants are not safe.
    monkeypatch.setattr(symmetry, "SAFE_KINDS", frozenset({PropertyKind.DEADLOCK_FREE}))
    with pytest.raises(UsageError, match="symmetry reduction cannot decide TCConsistent"):
        search.check(compiled("examples/twophase.py", rm=3, symmetric=True), Request())


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
