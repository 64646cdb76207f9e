"""The Patroni model (specs/patroni/SEMANTICS.md): agreement with an independent
plain-Python implementation of the document, the incidents as shortest
counterexamples, the protected configurations, and the timer rule."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from helpers import BACKENDS, ROOT, compiled, run_json

from ccrverify.explicit import engine


def _load_reference() -> Any:
    path = ROOT / "tests" / "reference" / "patroni_reference.py"
    spec = importlib.util.spec_from_file_location("patroni_reference", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = _load_reference()
CONFIGS = Path("specs") / "patroni"

# Fast enough for the default suite (each under 10,000 states).
REFERENCE_CASES: list[dict[str, Any]] = [
    {},
    {"ttl": 5},                                   # timer rule violated
    {"ttl": 5, "loop_wait": 1},                   # Patroni 3.2's adjustment
    {"isolate": False},                           # issue 308's deployment, PR 316
    {"synchronous_mode": True},
    {"demote_on_failed_update": False, "stale_reads": False},
    {"retry_timeout": 1, "max_faults": 1},
]
SLOW_CASES: list[dict[str, Any]] = [
    {"demote_on_failed_update": False, "isolate": False},  # issue 308
    {"members": 3},
    {"members": 3, "synchronous_mode": True},
    {"writes": 2},
    {"writes": 2, "synchronous_mode": True, "ttl": 5},
]


def _ids(knobs: dict[str, Any]) -> str:
    return ",".join(f"{a}={b}" for a, b in knobs.items()) or "default"


def _agree(knobs: dict[str, Any], backend: str) -> None:
    reference = REFERENCE.explore(knobs)
    result = engine.check(compiled("patroni.py", **knobs), backend=backend)
    s = result.stats
    assert (s.distinct_states, s.transitions, s.depth) == (
        reference["distinct_states"], reference["transitions"], reference["depth"])
    for name, shortest in reference["shortest"].items():
        mine = result.property(name)
        assert mine.verdict.kind == ("holds" if shortest is None else "violated")
        assert mine.trace_length == shortest


@pytest.mark.parametrize("knobs", REFERENCE_CASES, ids=_ids)
@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_with_the_independent_reference(knobs: dict[str, Any], backend: str) -> None:
    _agree(knobs, backend)


@pytest.mark.slow
@pytest.mark.parametrize("knobs", SLOW_CASES, ids=_ids)
@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_with_the_reference_on_larger_configurations(knobs: dict[str, Any],
                                                            backend: str) -> None:
    _agree(knobs, backend)


def _violation(config: str, prop: str = "NoSplitBrain") -> tuple[int, list[str], dict[str, Any]]:
    status, data = run_json("check", str(CONFIGS / config))
    found = next(p for p in data["properties"] if p["name"] == prop)
    assert found["verdict"] == "violated"
    steps = found["trace"]["steps"]
    return status, [step["action"] for step in steps[1:]], steps[-1]["state"]


def _in_order(labels: list[str], wanted: list[str]) -> bool:
    it = iter(labels)
    return all(any(label == w for label in it) for w in wanted)


def test_timer_rule_violated_gives_two_primaries() -> None:
    status, labels, last = _violation("timer-rule-violated.toml")
    assert status == 1
    assert len(labels) == 10
    # A's slow read names A, A is cut off, the key expires, B promotes.
    assert _in_order(labels, ["StartCycle(A)", "Read(A)", "Isolate(A)", "Acquire(B)"])
    assert labels.count("Tick") == 6 and labels[-1] == "Acquire(B)"
    assert "UpdateFailed(A)" not in labels  # A's demotion is due, not done
    assert last["role"] == {"A": "primary", "B": "primary"}
    assert last["phase"]["A"] == "update" and last["elapsed"]["A"] == 2


def test_issue_308_stale_leader_key_keeps_the_old_primary() -> None:
    status, labels, last = _violation("issue-308-stale-leader.toml")
    assert status == 1
    assert len(labels) == 12
    assert labels[0] == "IsolateStale(A)"
    assert _in_order(labels, ["StaleRead(A)", "UpdateFailed(A)", "Acquire(B)"])
    assert last["role"] == {"A": "primary", "B": "primary"}
    assert last["frozen"]["A"] == "A" and last["phase"]["A"] == "recheck"
    assert last["holder"] == "B"


def test_issue_308_old_primary_is_never_demoted_while_cut_off() -> None:
    """From the counterexample's last state, every run without faults, repairs
    or writes keeps A primary: the stale etcd member always names A."""
    model = compiled("patroni.py", demote_on_failed_update=False, isolate=False)
    result = engine.check(model)
    trace = result.property("NoSplitBrain").trace
    assert trace is not None
    quiet = [i for i, a in enumerate(model.actions)
             if a.name not in ("Crash", "Restart", "Isolate", "IsolateStale", "Heal", "Write")]
    role_a = next(i for i, slot in enumerate(model.model.slots) if slot.name == "role[A]")
    start = tuple(trace.steps[-1].values)
    seen, frontier = {start}, [start]
    while frontier:
        state = frontier.pop()
        assert state[role_a] == 0  # primary
        for index in quiet:
            nxt = model.next_values(list(state), index)
            if nxt is not None and tuple(nxt) not in seen:
                seen.add(tuple(nxt))
                frontier.append(tuple(nxt))
    assert len(seen) > 10


@pytest.mark.parametrize("config", ["default.toml", "timer-rule-enforced.toml",
                                    "issue-308-fixed.toml", "synchronous-three-members.toml"])
def test_protected_configurations_hold(config: str) -> None:
    status, data = run_json("check", str(CONFIGS / config))
    assert status == 0
    assert all(p["verdict"] == "holds" for p in data["properties"])


# (ttl, loop_wait, retry_timeout) around the documented rule's boundary.
RULE_POINTS = [(6, 2, 2), (5, 2, 2), (6, 3, 2), (7, 3, 2), (4, 2, 1), (5, 2, 1), (7, 1, 3)]


@pytest.mark.parametrize("point", RULE_POINTS, ids=lambda p: f"ttl={p[0]},loop={p[1]},retry={p[2]}")
def test_no_split_brain_exactly_when_the_timer_rule_holds(point: tuple[int, int, int]) -> None:
    ttl, loop_wait, retry = point
    result = engine.check(compiled("patroni.py", ttl=ttl, loop_wait=loop_wait,
                                   retry_timeout=retry))
    rule = loop_wait + 2 * retry <= ttl
    assert (result.property("NoSplitBrain").verdict.kind == "holds") == rule


@pytest.mark.slow
@pytest.mark.parametrize("extra", [{}, {"members": 3}, {"synchronous_mode": True}], ids=_ids)
def test_timer_rule_sweep(extra: dict[str, Any]) -> None:
    for ttl in range(3, 8):
        for loop_wait in range(1, 4):
            for retry in range(1, 4):
                result = engine.check(compiled("patroni.py", ttl=ttl, loop_wait=loop_wait,
                                               retry_timeout=retry, **extra))
                holds = result.property("NoSplitBrain").verdict.kind == "holds"
                assert holds == (loop_wait + 2 * retry <= ttl), (ttl, loop_wait, retry)


def test_failover_time_of_the_reference() -> None:
    assert REFERENCE.failover_time({}) == 7
    assert REFERENCE.failover_time({"ttl": 5}) == 6
    assert REFERENCE.failover_time({"isolate": False}) == 7
    assert REFERENCE.failover_time({"synchronous_mode": True}) == "never"
    assert REFERENCE.failover_time({"synchronous_mode": True}, require_sync_standby=True) == 7


def test_sync_write_property_is_not_vacuous() -> None:
    """In synchronous mode some run commits under the promise and then fails over."""
    states, _ = REFERENCE.reachable({"synchronous_mode": True})
    assert any(s[4][0] == "sync" and s[7][1] == "primary" and 1 in s[14][1] for s in states)


def test_action_classes_name_every_action() -> None:
    classes = _spec_module().ACTION_CLASSES
    model = compiled("patroni.py", synchronous_mode=True)
    names = {a.name for a in model.actions}
    assert names == set(classes)
    assert set(classes.values()) <= {"clock", "fault", "repair", "workload", "administrator",
                                     "protocol"}
    assert {n for n, c in classes.items() if c == "fault"} == set(model.model.faults)
    assert {n for n, c in classes.items() if c == "clock"} == {model.model.clock}


def _spec_module() -> Any:
    path = ROOT / "specs" / "patroni.py"
    spec = importlib.util.spec_from_file_location("patroni_spec_for_classes", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
