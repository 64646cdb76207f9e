"""The DAG model (specs/dag/SEMANTICS.md): agreement with an independent
plain-Python implementation of the document, the published split-brain story
as a shortest counterexample, DAC preventing it. Liveness and failover time
are in test_dag_liveness.py, the incidents through every command in
test_dag_incidents.py."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import BACKENDS, compiled, load_reference, run_cli, run_json

from ccrverify.explicit import engine

REFERENCE = load_reference("dag")


def _id(knobs: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in knobs.items()) or "default"


def _agree(knobs: dict[str, Any], backend: str) -> None:
    reference = REFERENCE.explore(knobs)
    result = engine.check(compiled("dag.py", **knobs), backend=backend)
    s = result.stats
    assert (s.distinct_states, s.transitions, s.depth) == (
        reference["distinct_states"], reference["transitions"], reference["depth"])
    for name, shortest in reference["shortest"].items():
        mine = result.property(name)
        assert mine.verdict.kind == ("holds" if shortest is None else "violated"), name
        assert mine.trace_length == shortest, name


# Small layouts: each explores in about a second in the reference.
FAST_CASES: list[dict[str, Any]] = [
    {"primary_members": 1, "second_members": 1},
    {"primary_members": 1, "second_members": 1, "dac": True},
    {"second_members": 1, "max_faults": 1},
    {"primary_members": 1, "dac": True, "max_faults": 1},
    {"primary_members": 1, "second_members": 1, "dac": True, "mount_dial": 0},
    {"second_members": 1, "detect_ticks": 2, "max_faults": 1},
    {"switchover": False},
    # Fault kinds: crashes and WAN cuts only, and power losses and crashes only.
    {"primary_members": 1, "second_members": 1, "power_faults": False},
    {"primary_members": 1, "second_members": 1, "wan_faults": False},
]

# The published layout (2 + 2) and a second write: tens of seconds in the reference.
SLOW_CASES: list[dict[str, Any]] = [
    {},
    {"dac": True},
    {"mount_dial": 0},
    {"primary_members": 1, "second_members": 1, "writes": 2, "mount_dial": 1},
]


@pytest.mark.parametrize("knobs", FAST_CASES, ids=_id)
@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_with_the_independent_reference(knobs: dict[str, Any], backend: str) -> None:
    _agree(knobs, backend)


@pytest.mark.slow
@pytest.mark.parametrize("knobs", SLOW_CASES, ids=_id)
@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_with_the_reference_on_larger_layouts(knobs: dict[str, Any],
                                                     backend: str) -> None:
    _agree(knobs, backend)


def _labels(trace: dict[str, Any]) -> list[str]:
    return [step["action"] for step in trace["steps"][1:]]


def test_switchback_without_dac_splits_the_brain_as_published() -> None:
    status, data = run_json("check", "specs/dag/switchback-split-brain.toml",
                            "--property", "NoSplitBrain")
    assert status == 1
    assert data["stats"]["distinct_states"] == 35477
    prop = data["properties"][0]
    assert prop["verdict"] == "violated" and prop["trace_length"] == 8
    labels = _labels(prop["trace"])
    order = {label: i for i, label in enumerate(labels)}
    # The primary site goes dark and the WAN is cut ...
    assert {"PowerLoss(primary)", "CutWan"} <= set(labels)
    # ... the administrator activates the second site ...
    assert order["PowerLoss(primary)"] < order["StopDag"] < order["RestoreDag"]
    # ... power returns in the primary site while the WAN is still down ...
    assert order["RestoreDag"] < order["PowerReturn(primary)"] < order["Tick"]
    assert "HealWan" not in labels
    # ... and after one regroup both sites mount the database (in either order: the
    # shortest counterexamples mount them both; the one chosen is BFS order's first).
    assert sorted(label[:7] for label in labels[-2:]) == ["Mount(P", "Mount(S"]
    last = prop["trace"]["steps"][-1]["state"]
    active = sorted(a for a, r in last["role"].items() if r == "active")
    assert len(active) == 2 and active[0].startswith("P") and active[1].startswith("S")
    assert last["conf"][active[0]] == "full" and last["conf"][active[1]] == "second"
    assert last["wan"] is False and last["started"] == "second"


def test_dac_prevents_the_switchback_split_brain() -> None:
    status, data = run_json("check", "specs/dag/switchback-dac.toml", "--property", "NoSplitBrain")
    assert status == 0
    assert data["stats"]["distinct_states"] == 46334
    assert data["properties"][0]["verdict"] == "holds"


def test_lossless_dial_still_loses_a_write_acknowledged_before_any_regroup() -> None:
    status, data = run_json("check", "specs/dag/lossless.toml", "--property", "NoLostAckedWrite")
    assert status == 1
    prop = data["properties"][0]
    assert prop["trace_length"] == 7
    labels = _labels(prop["trace"])
    assert labels[0] == "Deliver(P1,1)" and labels[1] == "Crash(P1)"
    assert labels[2] == "Tick" and labels[3].startswith("Mount(")
    assert labels[-1].startswith("Reseed(P1,")


def test_two_member_dac_holds() -> None:
    status, out, _ = run_cli("check", "specs/dag/two-member-dac.toml", "--property",
                             "NoSplitBrain")
    assert status == 0 and "holds" in out


def test_list_knobs_and_properties() -> None:
    status, out, _ = run_cli("list-knobs", "specs/dag.py")
    assert status == 0
    for knob in ("primary_members", "second_members", "writes", "detect_ticks", "mount_dial",
                 "max_faults", "dac", "switchover", "power_faults", "wan_faults"):
        assert knob in out
    status, out, _ = run_cli("list-properties", "specs/dag.py")
    assert status == 0
    for name in ("NoSplitBrain", "NoLostAckedWrite", "Recovers", "FailoverTime",
                 "FailoverTimeCaughtUp"):
        assert name in out
