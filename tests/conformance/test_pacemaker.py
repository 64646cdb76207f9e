"""The Pacemaker two-node model: agreement with an independent plain-Python
implementation of specs/pacemaker/SEMANTICS.md, the documented incidents as
shortest counterexamples, and the protected configurations."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from helpers import BACKENDS, ROOT, compiled, run_cli, run_json

from ccrverify.explicit import engine
from ccrverify.loader import load
from ccrverify.trace import replay


def _load_reference() -> Any:
    path = ROOT / "tests" / "reference" / "pacemaker_reference.py"
    spec = importlib.util.spec_from_file_location("pacemaker_reference", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = _load_reference()

REFERENCE_CASES: list[dict[str, Any]] = [
    {},
    {"fence_delay": 2},
    {"fence_delay": 1, "wait_for_all": False},
    {"wait_for_all": False, "fence_delay": 2},
    {"stonith": False},
    {"qdevice": True},
    {"qdevice": True, "stonith": False},
    {"qdevice": True, "wait_for_all": False, "fence_delay": 1},
    {"token_ticks": 1, "fence_delay": 3},
    {"token_ticks": 3, "wait_for_all": False},
    {"max_faults": 0},
    {"max_faults": 3, "fence_delay": 2},
]


def _case_id(knobs: dict[str, Any]) -> str:
    return ",".join(f"{a}={b}" for a, b in knobs.items()) or "default"


@pytest.mark.parametrize("knobs", REFERENCE_CASES, ids=_case_id)
@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_with_the_independent_reference(knobs: dict[str, Any], backend: str) -> None:
    reference = REFERENCE.explore(knobs)
    result = engine.check(compiled("pacemaker.py", **knobs), backend=backend)
    s = result.stats
    assert (s.distinct_states, s.transitions, s.depth) == (
        reference["distinct_states"], reference["transitions"], reference["depth"])
    for name, shortest in reference["shortest"].items():
        mine = result.property(name)
        assert mine.verdict.kind == ("holds" if shortest is None else "violated")
        assert mine.trace_length == shortest


@pytest.mark.slow
@pytest.mark.parametrize("knobs", [
    {"max_faults": 4, "wait_for_all": False, "fence_delay": 2},
    {"max_faults": 4, "qdevice": True, "wait_for_all": False, "fence_delay": 2},
    {"max_faults": 5, "qdevice": True, "stonith": False, "token_ticks": 3},
], ids=_case_id)
def test_agrees_with_the_reference_on_larger_fault_budgets(knobs: dict[str, Any]) -> None:
    reference = REFERENCE.explore(knobs)
    for backend in BACKENDS:
        result = engine.check(compiled("pacemaker.py", **knobs), backend=backend)
        s = result.stats
        assert (s.distinct_states, s.transitions, s.depth) == (
            reference["distinct_states"], reference["transitions"], reference["depth"])
        for name, shortest in reference["shortest"].items():
            assert result.property(name).trace_length == shortest


# -- the incidents ------------------------------------------------------------------
def _check(config: str) -> tuple[int, dict[str, Any]]:
    return run_json("check", f"specs/pacemaker/{config}.toml")


def _verdict(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in data["properties"] if p["name"] == name)


def _labels(prop: dict[str, Any]) -> list[str]:
    return [step["action"] for step in prop["trace"]["steps"][1:]]


def _last_state(prop: dict[str, Any]) -> dict[str, Any]:
    return prop["trace"]["steps"][-1]["state"]  # type: ignore[no-any-return]


def test_fence_race_without_a_delay_kills_both_nodes() -> None:
    status, data = _check("fence-race")
    assert status == 1
    race = _verdict(data, "NoMutualFencing")
    assert race["verdict"] == "violated" and race["trace_length"] == 5
    labels = _labels(race)
    # The link fails, both halves declare the peer lost at the same tick and
    # both fence devices fire.
    assert labels[0] == "Cut(AB)" and labels[1:3] == ["Tick", "Tick"]
    assert sorted(labels[3:]) == ["Fence(A)", "Fence(B)"]
    armed = race["trace"]["steps"][3]["state"]["armed"]
    assert armed == {"A": True, "B": True}
    assert _last_state(race)["status"] == {"A": "down", "B": "down"}
    assert _verdict(data, "NoSplitBrain")["verdict"] == "holds"


def test_a_static_delay_on_one_node_makes_it_win_the_race() -> None:
    status, data = _check("fence-race-delay")
    assert status == 0
    assert all(p["verdict"] == "holds" for p in data["properties"])


def test_a_quorum_device_prevents_the_race_without_a_delay() -> None:
    status, data = _check("fence-race-qdevice")
    assert status == 0
    assert data["knobs"]["fence_delay"] == 0
    assert all(p["verdict"] == "holds" for p in data["properties"])


def test_without_wait_for_all_a_fenced_node_boots_alone_and_fences_back() -> None:
    status, data = _check("fence-loop")
    assert status == 1
    loop = _verdict(data, "NoFenceLoop")
    assert loop["verdict"] == "violated" and loop["trace_length"] == 6
    # A wins the delayed race, B is power-cycled, boots while the link is still
    # down, is quorate alone (two_node) and asks to fence A.
    assert _labels(loop) == ["Cut(AB)", "Tick", "Tick", "Fence(B)", "Boot(B)", "Tick"]
    last = _last_state(loop)
    assert last["status"]["B"] == "quorate" and last["fenced"]["B"]
    assert last["wait"]["B"] == 2 and last["link"]["AB"] is False
    assert _verdict(data, "NoMutualFencing")["verdict"] == "holds"


def test_the_fence_loop_also_follows_a_cold_start() -> None:
    # A power loss, the link down when power returns: A boots alone, is quorate
    # without wait_for_all, fences B (startup-fencing); B boots alone and fences A.
    model = compiled("pacemaker.py", wait_for_all=False, fence_delay=2)
    labels = [a.label for a in model.actions]
    story = ["PowerLoss", "Cut(AB)", "Boot(A)", "Tick", "Fence(B)", "Boot(B)", "Tick"]
    trace = replay(model, 0, [labels.index(x) for x in story], violates="NoFenceLoop")
    assert trace.steps[4].state["armed"]["B"] is True
    with_wfa = compiled("pacemaker.py", wait_for_all=True, fence_delay=2)
    walk = replay(with_wfa, 0, [labels.index(x) for x in story[:4]])
    assert walk.steps[-1].state["status"]["A"] == "inquorate"
    assert walk.steps[-1].state["armed"] == {"A": False, "B": False}


def test_wait_for_all_stops_the_fence_loop() -> None:
    status, data = _check("fence-loop-wfa")
    assert status == 0
    assert data["knobs"]["max_faults"] == 3
    assert all(p["verdict"] == "holds" for p in data["properties"])


def test_without_fencing_a_partition_runs_the_resource_twice() -> None:
    status, data = _check("split-brain-no-stonith")
    assert status == 1
    split = _verdict(data, "NoSplitBrain")
    assert split["verdict"] == "violated" and split["trace_length"] == 4
    assert _labels(split) == ["Cut(AB)", "Tick", "Tick", "Start(B)"]
    last = _last_state(split)
    assert last["runs"] == {"A": True, "B": True}
    assert last["peer"] == {"A": "down", "B": "down"}


def test_a_quorum_device_does_not_replace_fencing() -> None:
    status, data = _check("split-brain-no-stonith-qdevice")
    assert status == 1
    split = _verdict(data, "NoSplitBrain")
    assert split["trace_length"] == 5
    assert _labels(split) == ["Cut(AQ)", "Cut(AB)", "Tick", "Tick", "Start(B)"]
    assert _last_state(split)["status"]["A"] == "inquorate"


def test_with_fencing_the_resource_never_runs_twice() -> None:
    status, data = _check("split-brain-stonith")
    assert status == 0
    assert _verdict(data, "NoSplitBrain")["verdict"] == "holds"


def test_default_configuration() -> None:
    status, data = _check("default")
    assert status == 1
    assert data["stats"]["distinct_states"] == 175
    assert data["knobs"] == {"fence_delay": 0, "max_faults": 2, "qdevice": False,
                             "stonith": True, "token_ticks": 2, "wait_for_all": True}
    assert _verdict(data, "NoSplitBrain")["verdict"] == "holds"
    assert _verdict(data, "NoFenceLoop")["verdict"] == "holds"
    assert _verdict(data, "NoMutualFencing")["trace_length"] == 5


# -- failover time and the action classes -------------------------------------------
@pytest.mark.parametrize(("knobs", "figure", "any_peer"), [
    ({}, 2, "never"),
    ({"fence_delay": 2}, 4, "never"),
    ({"wait_for_all": False, "fence_delay": 2}, 4, 4),
    ({"stonith": False}, 2, "never"),
    ({"qdevice": True}, 2, "never"),
    ({"token_ticks": 3, "fence_delay": 1}, 4, "never"),
], ids=lambda v: _case_id(v) if isinstance(v, dict) else str(v))
def test_reference_failover_time(knobs: dict[str, Any], figure: Any, any_peer: Any) -> None:
    assert REFERENCE.failover_time(knobs) == figure
    assert REFERENCE.failover_time(knobs, any_peer=True) == any_peer


def test_every_action_has_a_class() -> None:
    loaded = load(str(ROOT / "specs" / "pacemaker.py"))
    spec_module = _spec_module()
    names = {a.name for a in compiled("pacemaker.py", qdevice=True).actions}
    assert names == set(spec_module.ACTION_CLASSES)
    assert set(spec_module.ACTION_CLASSES.values()) <= {
        "clock", "fault", "repair", "workload", "administrator", "protocol"}
    assert set(loaded.spec.faults) == {
        n for n, c in spec_module.ACTION_CLASSES.items() if c == "fault"}


def _spec_module() -> Any:
    path = ROOT / "specs" / "pacemaker.py"
    spec = importlib.util.spec_from_file_location("pacemaker_spec_for_classes", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_list_commands() -> None:
    status, out, _ = run_cli("list-knobs", "specs/pacemaker.py")
    assert status == 0
    for knob in ("token_ticks", "fence_delay", "wait_for_all", "stonith", "qdevice",
                 "max_faults"):
        assert knob in out
    status, out, _ = run_cli("list-properties", "specs/pacemaker.py")
    assert status == 0
    for name in ("NoSplitBrain", "NoMutualFencing", "NoFenceLoop"):
        assert name in out
