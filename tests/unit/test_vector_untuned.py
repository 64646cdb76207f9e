"""The models nobody tuned for (benchmarks/models, issue 14 item 2): many initial
states and a high out-degree.

The numpy backend must find what the per-state Python backend finds on them;
twins (action instances with the same updates) leave out only candidates the
search would not keep; initial states are reached by index without building
them all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import ROOT, compiled

from ccrverify.compile import CompiledModel, compile_model
from ccrverify.explicit import bfs, vector
from ccrverify.explicit.codegen import build_kernel
from ccrverify.explicit.expand import Expander
from ccrverify.explicit.search import reachable_rows
from ccrverify.explicit.words import WordLayout, initial_rows
from ccrverify.loader import load
from ccrverify.request import Request

MODELS = ROOT / "benchmarks" / "models"


def model(name: str, **knobs: Any) -> CompiledModel:
    return compile_model(load(str(MODELS / f"{name}.py")).build(knobs))


def summary(result: Any) -> Any:
    return (result.stats.distinct_states, result.stats.transitions, result.stats.depth,
            [(p.name, p.verdict.kind, None if p.trace is None else
              (p.trace.init_index, p.trace.choices)) for p in result.properties])


@pytest.mark.parametrize(("name", "knobs", "states", "depth"), [
    ("antientropy", {"nodes": 4, "versions": 3}, 3**4 * 2**4, 0),  # every state is initial
    ("rumor", {"nodes": 5}, None, None),
])
def test_numpy_finds_what_python_finds_on_the_benchmark_models(
        name: str, knobs: dict[str, Any], states: int | None, depth: int | None) -> None:
    compiled_model = model(name, **knobs)
    mine = vector.check(compiled_model, Request())
    assert summary(mine) == summary(bfs.check(compiled_model, Request()))
    if states is not None:
        assert (mine.stats.distinct_states, mine.stats.depth) == (states, depth)


def test_the_rumor_dies_out_with_a_node_left_out_after_six_steps() -> None:
    result = vector.check(model("rumor", nodes=4), Request())
    left_out = result.property("NoneLeftOut")
    assert left_out.verdict.kind == "violated" and left_out.trace_length == 6
    assert result.property("MissesOnlyWhileSpreading").verdict.kind == "holds"


def test_pull_is_a_twin_implied_by_push_and_twophase_twins_are_tested_per_state() -> None:
    rumor = model("rumor", nodes=3)
    labels = [a.label for a in rumor.model.actions]
    found = vector.twins(rumor.model)
    for j, label in enumerate(labels):
        twin = found[j]
        if label.startswith("Push"):
            assert twin is None, label
        else:
            assert twin is not None and twin.implied, label
    twophase = compiled("examples/twophase.py", rm=2)
    labels = [a.label for a in twophase.model.actions]
    twin = vector.twins(twophase.model)[labels.index("RMRcvAbortMsg(r1)")]
    # RMChooseToAbort(r1) also aborts r1, but only while r1 is working
    assert twin is not None and not twin.implied
    assert [[repr(c) for c in rest] for rest in twin.missing] == [
        [repr(twophase.model.actions[labels.index("RMChooseToAbort(r1)")].guard)]]


@pytest.mark.parametrize(("spec", "knobs"), [("rumor", {"nodes": 4}),
                                             ("twophase", {"rm": 3})])
def test_candidates_are_the_distinct_successors_less_self_loops(spec: str,
                                                                knobs: dict[str, Any]) -> None:
    """Over a whole level: the kernel's candidates are every successor that is not
    its parent, each at least once, and twins make them fewer than the transitions."""
    m = (model(spec, **knobs) if spec != "twophase"
         else compiled("examples/twophase.py", **knobs))
    python = build_kernel(m)
    level = sorted(set(m.init_states()))
    for _ in range(3):  # a few levels in, where many actions are enabled
        level = sorted({s for state in level for _, s in python.successors(state)})
    kernel = vector.build(m)
    rows = np.array(level, dtype=np.int64)[None, :]
    found = Expander(kernel, None, deadlock=False).chunk((lambda a, b: rows[:, a:b], 0,
                                                          rows.shape[1]))
    expected = {(p, s) for p in level for _, s in python.successors(p) if s != p}
    parents = np.array(level)[found.ids // len(m.model.actions)]
    got = {(int(p), int(s)) for p, s in zip(parents, found.states[0], strict=True)}
    assert got == expected
    assert found.transitions == sum(len(python.successors(p)) for p in level)
    assert found.size < found.transitions


INITS = '''
from ccrverify.lang import ANY, Bool, IntRange, OneOf, Spec
spec = Spec("Inits")

@spec.model
def build(m):
    m.var("a", IntRange(1, 3), init=OneOf([2, 1, 2]))
    m.var("b", Bool(), over=m.index("I", [0, 1]), init=ANY)
    m.var("c", IntRange(0, 2), init=1)
'''


def test_an_initial_state_by_index_is_the_one_init_values_lists(tmp_path: Path) -> None:
    path = tmp_path / "inits.py"
    path.write_text(INITS)
    for m in (compile_model(load(str(path)).build()), model("antientropy", nodes=3,
                                                             versions=2)):
        every = m.init_values()
        assert m.init_count() == len(every)
        assert m.init_states() == [m.layout.pack(v) for v in every]
        layout = WordLayout.of(m)
        assert layout.columns(initial_rows(m, layout)).tolist() == every
        for i, values in enumerate(every):
            assert m.init_value(i) == values
            assert m.init_index(values) == every.index(values)  # a repeat: the first
    m = compile_model(load(str(path)).build())
    assert m.init_count() == 12 and m.init_index(m.init_value(8)) == 0  # a=2 twice
    assert m.init_index([3, 0, 0, 1]) is None
    with pytest.raises(IndexError):
        m.init_value(12)


def test_updates_that_surely_change_their_slot_skip_the_self_loop_test() -> None:
    m = model("antientropy", nodes=3, versions=3)
    kernel = vector.build(m)
    rows = initial_rows(m, WordLayout.of(m))
    for i, action in enumerate(m.model.actions):
        idx, succ, moved = kernel.expand[i](rows)
        # Push: version[a] > version[b], then version[b] := version[a];
        # Publish: version[n] := version[n] + 1
        if action.name in ("Push", "Publish"):
            assert idx.size and moved is None, action.label
            assert (succ != rows[:, idx]).all(), action.label
    rumor = model("rumor", nodes=3)
    rows = initial_rows(rumor, WordLayout.of(rumor))
    _, _, moved = vector.build(rumor).expand[0](rows)  # Push(n0, n1): ite updates
    assert moved is not None


def test_an_implied_twin_is_enabled_where_its_full_kernel_is() -> None:
    """Pull(b, a) computes no successors for the search (Push(a, b) gives them), yet
    is enabled in the same states as the kernel the state graph uses."""
    m = model("rumor", nodes=4)
    kernel = vector.build(m)
    found = reachable_rows(m)
    assert found is not None
    rows = found[0]
    pulls = 0
    for i, action in enumerate(m.model.actions):
        idx, _, moved = kernel.expand[i](rows)
        mask, successors = kernel.actions[i](rows)
        assert np.array_equal(idx, np.flatnonzero(mask)), action.label
        assert successors.shape == (1, idx.size)
        if action.name == "Pull":
            pulls += 1
            assert moved is not None and not moved.any()
    assert pulls == 12
