"""Wide states on the vectorised backend: several 64-bit words per state.

The numpy backend must find exactly what the per-state Python backend finds
(states, transitions, depth, verdicts, and the same shortest counterexample)
on models whose states need more than one word."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from helpers import ROOT, compiled

from ccrverify.compile import CompiledModel, compile_model
from ccrverify.explicit import bfs, vector
from ccrverify.explicit.words import WordLayout, initial_rows
from ccrverify.loader import load
from ccrverify.request import Request
from ccrverify.result import CheckResult

WIDE = str(ROOT / "tests" / "unit" / "wide_spec.py")


def wide(**knobs: Any) -> CompiledModel:
    return compile_model(load(WIDE).build(knobs))


def assert_same(a: CheckResult, b: CheckResult) -> None:
    assert (a.stats.distinct_states, a.stats.transitions, a.stats.depth) == (
        b.stats.distinct_states, b.stats.transitions, b.stats.depth)
    for p in a.properties:
        q = b.property(p.name)
        assert p.verdict.kind == q.verdict.kind, p.name
        if p.trace is not None:
            assert q.trace is not None
            assert (p.trace.init_index, p.trace.choices) == (q.trace.init_index,
                                                             q.trace.choices), p.name


def test_the_wide_toy_needs_three_words_and_no_slot_straddles_two() -> None:
    model = wide()
    layout = WordLayout.of(model)
    assert model.layout.bits > 126 and layout.words == 3
    for i, width in enumerate(layout.width):
        assert layout.offset[i] + width <= 63  # the sign bit stays clear
    values = [s.hi for s in model.model.slots]
    words = layout.pack(values)
    assert all(0 <= w < 2**63 for w in words)
    assert layout.unpack(words) == values
    assert layout.packed(words, model) == model.layout.pack(values)
    rows = initial_rows(model, layout)
    assert rows.shape == (3, 1)
    assert layout.columns(rows).tolist() == [list(v) for v in model.init_values()]


def test_numpy_finds_what_python_finds_on_a_three_word_model() -> None:
    model = wide()
    mine, theirs = vector.check(model, Request()), bfs.check(model, Request())
    assert_same(mine, theirs)
    # 3**7 states; the invariant and the deadlock both break after 7 * 2 rises
    assert mine.stats.distinct_states == 3**7
    assert mine.property("NotAllHigh").verdict.kind == "violated"
    assert mine.property("NotAllHigh").trace_length == 14
    assert mine.property("Parity").verdict.kind == "holds"


@pytest.mark.parametrize("knobs", [{"messages": 5, "max_faults": 0},
                                   {"messages": 6, "max_faults": 0, "handoff": False}],
                         ids=["messages=5", "messages=6,handoff=false"])
def test_numpy_finds_what_python_finds_on_wide_ccr(knobs: dict[str, Any]) -> None:
    model = compiled("ccr.py", **knobs)
    assert WordLayout.of(model).words == 2
    assert_same(vector.check(model, Request()), bfs.check(model, Request()))


def test_the_kernel_gives_each_enabled_state_its_successor_word_by_word() -> None:
    model = wide(n=5, steps=1)
    kernel = vector.build(model)
    layout = kernel.layout
    states = [[2**20 - 2, 2**20 - 1, 2**20 - 2, 2**20 - 1, 2**20 - 2, 0],
              [2**20 - 1] * 5 + [1]]
    batch = np.array([layout.pack(v) for v in states], dtype=np.int64).T
    for index, action in enumerate(model.model.actions):
        mask, succ = kernel.actions[index](batch)
        expected = [model.next_values(list(v), index) for v in states]
        assert mask.tolist() == [e is not None for e in expected], action.label
        got = layout.columns(succ).tolist()
        assert got == [e for e in expected if e is not None], action.label


def test_the_numpy_engine_on_a_wide_model_exits_1_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check {WIDE} "
                           "--engine numpy | true; echo ${PIPESTATUS[0]}"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1", done.stderr
