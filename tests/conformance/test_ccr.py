"""The CCR model: PROTOCOL.md's acceptance numbers, and agreement with an
independent plain-Python implementation of PROTOCOL.md on other knob values."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import BACKENDS, compiled, load_reference, run_cli, run_json

from ccrverify.explicit import engine
from ccrverify.explicit.bfs import check
from ccrverify.trace import replay, replay_lasso


def test_default_configuration_acceptance() -> None:
    result = check(compiled("ccr.py"))
    s = result.stats
    assert (s.distinct_states, s.transitions, s.depth) == (28335, 92060, 20)
    assert result.property("NoSplitBrain").verdict.kind == "holds"
    lost = result.property("NoLostAckedMail")
    assert lost.verdict.kind == "violated"
    assert lost.trace is not None and len(lost.trace) == 10


def test_renew_grace_3_splits_the_brain() -> None:
    result = check(compiled("ccr.py", renew_grace=3))
    assert result.stats.distinct_states == 37354
    split = result.property("NoSplitBrain")
    assert split.verdict.kind == "violated"
    assert split.trace is not None and len(split.trace) == 6
    last = split.trace.steps[-1].state
    assert last["role"] == {"A": "active", "B": "active"}


REFERENCE = load_reference()

REFERENCE_CASES: list[dict[str, Any]] = [
    {},
    {"renew_grace": 3},
    {"renew_grace": 2, "witness_lease": 1},
    {"dumpster_time": 2},
    {"dumpster_size": 2, "dumpster_time": 1},
    {"dumpster_size": 0},
    {"handoff": False},
    {"mount_dial": 1, "heartbeat_tolerance": 1},
    {"max_faults": 0},
    {"heartbeat_tolerance": 3, "witness_lease": 3, "max_faults": 1},
]


@pytest.mark.parametrize("knobs", REFERENCE_CASES, ids=lambda k: ",".join(
    f"{a}={b}" for a, b in k.items()) or "default")
@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_with_the_independent_reference(knobs: dict[str, Any], backend: str) -> None:
    reference = REFERENCE.explore(knobs)
    result = engine.check(compiled("ccr.py", **knobs), backend=backend)
    s = result.stats
    assert (s.distinct_states, s.transitions, s.depth) == (
        reference["distinct_states"], reference["transitions"], reference["depth"])
    for name, shortest in reference["shortest"].items():
        mine = result.property(name)
        assert mine.verdict.kind == ("holds" if shortest is None else "violated")
        assert mine.trace_length == shortest


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_counterexample_replays_step_by_step(backend: str) -> None:
    model = compiled("ccr.py", renew_grace=3)
    result = engine.check(model, backend=backend)
    for prop in result.properties:
        if prop.trace is None:
            continue
        trace = prop.trace
        again = replay(model, trace.init_index, trace.choices, violates=prop.name) \
            if trace.loop is None else \
            replay_lasso(model, trace.init_index, trace.choices, trace.loop, prop.name)
        assert [s.values for s in again.steps] == [s.values for s in trace.steps]
        for before, step in zip(trace.steps, trace.steps[1:], strict=False):
            index = [a.label for a in model.actions].index(step.label)
            assert model.next_values(list(before.values), index) == list(step.values)


def test_cli_check_with_config_and_trace_formats() -> None:
    status, out, _ = run_cli("check", "specs/ccr.py", "--config",
                             "specs/ccr/split-brain-grace.toml", "--trace-format", "markdown")
    assert status == 1
    assert "| Tick" in out and "role[B]=active" in out
    status, data = run_json("check", "specs/ccr/default.toml")
    assert status == 1
    assert data["knobs"]["renew_grace"] == 1
    assert data["stats"]["distinct_states"] == 28335
    lost = next(p for p in data["properties"] if p["name"] == "NoLostAckedMail")
    assert lost["trace_length"] == 10 and len(lost["trace"]["steps"]) == 11


def test_handoff_false_from_the_command_line_removes_move() -> None:
    with_move = compiled("ccr.py")
    without = compiled("ccr.py", handoff=False)
    assert any(a.name == "Move" for a in with_move.actions)
    assert not any(a.name == "Move" for a in without.actions)
    status, data = run_json("check", "ccr", "--set", "handoff=false")
    assert data["knobs"]["handoff"] is False
    assert status == 1


def test_list_commands() -> None:
    status, out, _ = run_cli("list-knobs", "specs/ccr.py")
    assert status == 0
    for knob in ("messages", "heartbeat_tolerance", "witness_lease", "renew_grace", "mount_dial",
                 "dumpster_size", "dumpster_time", "max_faults", "handoff"):
        assert knob in out
    status, out, _ = run_cli("list-properties", "specs/ccr.py")
    assert status == 0 and "NoSplitBrain" in out and "NoLostAckedMail" in out
