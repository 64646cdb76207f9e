"""The WSFC quorum model: agreement with an independent plain-Python implementation of
specs/wsfc/SEMANTICS.md, and the documented incidents as named configurations."""

from __future__ import annotations

import importlib.util
import tomllib
from typing import Any

import pytest
from helpers import BACKENDS, ROOT, compiled, run_json

from ccrverify.explicit import engine

CONFIGS = ROOT / "specs" / "wsfc"


def _load_reference() -> Any:
    path = ROOT / "tests" / "reference" / "wsfc_reference.py"
    spec = importlib.util.spec_from_file_location("wsfc_reference", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = _load_reference()


def knobs_of(config: str) -> dict[str, Any]:
    with open(CONFIGS / f"{config}.toml", "rb") as fh:
        return dict(tomllib.load(fh).get("knobs", {}))


REFERENCE_CASES: list[dict[str, Any]] = [
    {},
    {"sequential_faults": True},
    {"force_quorum": True},
    {"witness": False},
    {"dynamic_quorum": False, "sequential_faults": True},
    {"dynamic_witness": False},
    {"nodes": 2, "witness": False, "max_faults": 1},
    {"nodes": 4, "witness": False, "tie_breaker": False, "max_faults": 1},
    {"nodes": 4, "lower_quorum_priority_node": 3, "max_faults": 1},
    {"tie_breaker": False, "failover_limit": 1, "heartbeat_threshold": 3},
]


def _case_id(knobs: dict[str, Any]) -> str:
    return ",".join(f"{a}={b}" for a, b in knobs.items()) or "default"


def _agrees(knobs: dict[str, Any], backend: str) -> None:
    reference = REFERENCE.explore(knobs)
    result = engine.check(compiled("wsfc.py", **knobs), backend=backend)
    s = result.stats
    assert (s.distinct_states, s.transitions, s.depth) == (
        reference["distinct_states"], reference["transitions"], reference["depth"])
    for name, shortest in reference["shortest"].items():
        mine = result.property(name)
        assert mine.verdict.kind == ("holds" if shortest is None else "violated"), name
        assert mine.trace_length == shortest, name


@pytest.mark.parametrize("knobs", REFERENCE_CASES, ids=_case_id)
@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_with_the_independent_reference(knobs: dict[str, Any], backend: str) -> None:
    _agrees(knobs, backend)


@pytest.mark.slow
@pytest.mark.parametrize("knobs", [{"nodes": 5}, {"max_faults": 3},
                                   {"heartbeat_threshold": 10}, {"nodes": 5, "witness": False,
                                                                 "force_quorum": True}],
                         ids=_case_id)
@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_on_larger_configurations(knobs: dict[str, Any], backend: str) -> None:
    _agrees(knobs, backend)


def _check(config: str) -> tuple[int, dict[str, Any]]:
    return run_json("check", str(CONFIGS / f"{config}.toml"))


def _verdicts(data: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    return {p["name"]: (p["verdict"] if isinstance(p["verdict"], str) else p["verdict"]["kind"],
                        p["trace_length"]) for p in data["properties"]}


def _labels(data: dict[str, Any], prop: str) -> list[str]:
    found = next(p for p in data["properties"] if p["name"] == prop)
    return [step["action"] for step in found["trace"]["steps"][1:]]


# Each incident: configuration, violated property, shortest length, the trace's actions.
INCIDENTS = [
    ("simultaneous-failures", "QuorumKept", 5,
     ["SiteSplit", "Isolate(N2)", "Tick", "Tick", "Regroup"]),
    ("static-quorum", "QuorumKept", 8,
     ["SiteSplit", "Tick", "Tick", "Regroup", "WitnessFail", "Tick", "Tick", "Regroup"]),
    ("static-witness", "QuorumKept", 8,
     ["WitnessFail", "Tick", "Tick", "Regroup", "SiteSplit", "Tick", "Tick", "Regroup"]),
    ("two-node-no-witness", "QuorumKept", 4, ["Crash(N2)", "Tick", "Tick", "Regroup"]),
    ("split-50-50", "QuorumKept", 4, ["SiteSplit", "Tick", "Tick", "Regroup"]),
    ("force-quorum", "OneRunningPartition", 5,
     ["SiteSplit", "Tick", "Tick", "Regroup", "ForceQuorum(N3)"]),
    ("force-quorum", "NoSplitBrain", 6,
     ["SiteSplit", "Tick", "Tick", "Regroup", "ForceQuorum(N3)", "Failover(N3)"]),
]


@pytest.mark.parametrize("config,prop,length,labels", INCIDENTS,
                         ids=[f"{c}-{p}" for c, p, _, _ in INCIDENTS])
def test_incident_is_the_shortest_counterexample(config: str, prop: str, length: int,
                                                 labels: list[str]) -> None:
    status, data = _check(config)
    assert status == 1
    assert _verdicts(data)[prop] == ("violated", length)
    assert _labels(data, prop) == labels


def test_incident_traces_tell_the_story() -> None:
    # Two nodes without a witness: the tie breaker left the only vote on N2.
    _, data = _check("two-node-no-witness")
    steps = next(p for p in data["properties"] if p["name"] == "QuorumKept")["trace"]["steps"]
    assert steps[0]["state"]["vote"] == {"N1": False, "N2": True}
    assert steps[-1]["state"]["member"] == {"N1": False, "N2": False}
    # The forced minority and the majority both run, and both host the group.
    _, data = _check("force-quorum")
    steps = next(p for p in data["properties"] if p["name"] == "NoSplitBrain")["trace"]["steps"]
    assert steps[-1]["state"]["member"] == {"N1": True, "N2": True, "N3": True}
    assert steps[-1]["state"]["hosts"] == {"N1": True, "N2": False, "N3": True}


PROTECTED = {
    "last-man-standing": ("NoSplitBrain", "OneRunningPartition", "QuorumKept"),
    "two-node-witness": ("NoSplitBrain", "OneRunningPartition", "QuorumKept"),
    "split-50-50-tie-breaker": ("NoSplitBrain", "OneRunningPartition", "QuorumKept"),
    "default": ("NoSplitBrain", "OneRunningPartition"),
}


@pytest.mark.parametrize("config", sorted(PROTECTED))
def test_protected_configuration_holds(config: str) -> None:
    status, data = _check(config)
    verdicts = _verdicts(data)
    for prop in PROTECTED[config]:
        assert verdicts[prop] == ("holds", None), prop
    assert status == (0 if len(PROTECTED[config]) == 3 else 1)


def test_tie_breaker_keeps_the_site_without_the_lower_priority_node() -> None:
    # LowerQuorumPriorityNodeID = 3: after the site split, site 1 (N1, N2) keeps running.
    cluster = REFERENCE.Cluster(knobs_of("split-50-50-tie-breaker"))
    state = cluster.initial()
    for label in ("SiteSplit", "Tick", "Tick", "Regroup"):
        state = dict(cluster.successors(state))[label]
    assert state[1] == (True, True, False, False)  # member


# FailoverTime (SEMANTICS.md) from the reference, for the liveness engine to match later.
FAILOVER_TIMES = {
    "default": 2,
    "last-man-standing": 2,
    "two-node-witness": 2,
    "split-50-50-tie-breaker": 2,
    "two-node-no-witness": "never",
    "two-node-failover-limit": "never",
}


@pytest.mark.parametrize("config", sorted(FAILOVER_TIMES))
def test_failover_time_of_the_reference(config: str) -> None:
    assert REFERENCE.failover_time(knobs_of(config)) == FAILOVER_TIMES[config]


def test_failover_time_follows_the_heartbeat_threshold() -> None:
    assert REFERENCE.failover_time({"heartbeat_threshold": 4, "max_faults": 1}) == 4


def test_every_action_has_a_class() -> None:
    spec_module = _spec_module()
    model = compiled("wsfc.py", force_quorum=True)
    assert {a.name for a in model.actions} == set(spec_module.ACTION_CLASSES)


def _spec_module() -> Any:
    path = ROOT / "specs" / "wsfc.py"
    spec = importlib.util.spec_from_file_location("wsfc_spec_module", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _walk(labels: list[str], **knobs: Any) -> dict[str, Any]:
    """Run the spec along a scripted run (every step must be enabled); the decoded end."""
    model = compiled("wsfc.py", **knobs)
    index = {a.label: i for i, a in enumerate(model.actions)}
    values = model.init_values()[0]
    for label in labels:
        after = model.next_values(values, index[label])
        assert after is not None, f"{label} is not enabled"
        values = after
    return model.decode(model.layout.pack(values))


def test_two_crashes_last_node_standing_only_when_sequential() -> None:
    window = ["Tick", "Tick", "Regroup"]
    together = _walk(["Crash(N1)", "Crash(N2)", *window])
    assert together["quorum_lost"] and not together["member"]["N3"]
    one_by_one = _walk(["Crash(N1)", *window, "Failover(N2)", "Crash(N2)", *window,
                        "Failover(N3)"])
    assert not one_by_one["quorum_lost"]
    assert one_by_one["member"] == {"N1": False, "N2": False, "N3": True}
    assert one_by_one["vote"] == {"N1": False, "N2": False, "N3": True}
    assert one_by_one["hosts"]["N3"] and one_by_one["fo_left"] == 0
