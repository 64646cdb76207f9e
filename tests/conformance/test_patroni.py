"""The Patroni model (specs/patroni/SEMANTICS.md): agreement with an independent
plain-Python implementation of the document, the incidents as shortest
counterexamples, the protected configurations, and the timer rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import BACKENDS, ROOT, compiled, load_reference, run_cli, run_json

from ccrverify import api
from ccrverify.explicit import engine
from ccrverify.request import Request
from ccrverify.trace import replay_lasso

REFERENCE = load_reference("patroni")
CONFIGS = Path("specs") / "patroni"
# The safety properties: the liveness ones are checked below, on their own.
SAFETY = Request(("NoSplitBrain", "NoLostSyncWrite", "DeadlockFree"))

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
    result = engine.check(compiled("patroni.py", **knobs), SAFETY, backend=backend)
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
    status, data = run_json("check", str(CONFIGS / config), "--property", prop)
    [found] = data["properties"]
    assert found["name"] == prop
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
    # A is cut off from the leader key's updates (a stale view), its update fails, and
    # B promotes while A, re-checking its stale key, stays primary.
    assert _in_order(labels, ["IsolateStale(A)", "UpdateFailed(A)", "Acquire(B)"])
    assert last["role"] == {"A": "primary", "B": "primary"}
    assert last["frozen"]["A"] == "A" and last["phase"]["A"] == "recheck"
    assert last["holder"] == "B"


def test_issue_308_old_primary_is_never_demoted_while_cut_off() -> None:
    """From the counterexample's last state, every run without faults, repairs
    or writes keeps A primary: the stale etcd member always names A."""
    model = compiled("patroni.py", demote_on_failed_update=False, isolate=False)
    result = engine.check(model, SAFETY)
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
    status, data = run_json("check", str(CONFIGS / config), "--property", "NoSplitBrain",
                            "--property", "NoLostSyncWrite", "--property", "DeadlockFree")
    assert status == 0
    assert [p["verdict"] for p in data["properties"]] == ["holds"] * 3


# (ttl, loop_wait, retry_timeout) around the documented rule's boundary.
RULE_POINTS = [(6, 2, 2), (5, 2, 2), (6, 3, 2), (7, 3, 2), (4, 2, 1), (5, 2, 1), (7, 1, 3)]


@pytest.mark.parametrize("point", RULE_POINTS, ids=lambda p: f"ttl={p[0]},loop={p[1]},retry={p[2]}")
def test_no_split_brain_exactly_when_the_timer_rule_holds(point: tuple[int, int, int]) -> None:
    ttl, loop_wait, retry = point
    result = engine.check(compiled("patroni.py", ttl=ttl, loop_wait=loop_wait,
                                   retry_timeout=retry), SAFETY)
    rule = loop_wait + 2 * retry <= ttl
    assert (result.property("NoSplitBrain").verdict.kind == "holds") == rule


@pytest.mark.slow
@pytest.mark.parametrize("extra", [{}, {"members": 3}, {"synchronous_mode": True}], ids=_ids)
def test_timer_rule_sweep(extra: dict[str, Any]) -> None:
    for ttl in range(3, 8):
        for loop_wait in range(1, 4):
            for retry in range(1, 4):
                result = engine.check(compiled("patroni.py", ttl=ttl, loop_wait=loop_wait,
                                               retry_timeout=retry, **extra), SAFETY)
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


# -- action classes and fairness (SEMANTICS.md, "Liveness and failover time") ---------------
CLASSES = {"Tick": "clock", "Crash": "fault", "Isolate": "fault", "IsolateStale": "fault",
           "Restart": "repair", "Heal": "repair", "Write": "workload"}


@pytest.mark.parametrize("restart_fair", [True, False])
def test_action_classes_and_fairness_follow_the_document(restart_fair: bool) -> None:
    model = compiled("patroni.py", synchronous_mode=True, restart_fair=restart_fair)
    names = set()
    for action in model.actions:
        names.add(action.name)
        cls = CLASSES.get(action.name, "protocol")
        assert action.cls == cls, action.label
        fair = cls in ("clock", "protocol", "repair")
        if action.name == "Restart":
            fair = restart_fair
        assert action.fairness == ("weak" if fair else None), action.label
        assert action.fair_key == action.label  # every instance is fair on its own
    assert {"StartCycle", "Acquire", "SetSync", "DropSync", "StaleRead"} <= names
    assert {n for n, c in CLASSES.items() if c == "fault"} == set(model.model.faults)


# -- Recovers and FailoverTime against the reference ----------------------------------------
LIVENESS = ("Recovers", "FailoverTime", "FailoverTimeSyncStandby")
# (knobs, FailoverTime, FailoverTimeSyncStandby) as the reference measures them.
FAILOVER_CASES: list[dict[str, Any]] = [
    {},                                              # 7: a crash just after a refresh
    {"ttl": 5},                                      # 6
    {"ttl": 8, "loop_wait": 1, "retry_timeout": 1},  # 9
    {"isolate": False},                              # issue 308's deployment, PR 316
    {"synchronous_mode": True},                      # never; the variant 7
    {"demote_on_failed_update": False, "stale_reads": False},
    {"retry_timeout": 1, "max_faults": 1},
]


def _liveness(knobs: dict[str, Any]) -> dict[str, Any]:
    target = api.target(str(ROOT / "specs" / "patroni.py"), knobs=knobs)
    result = api.run(target, "explicit", Request(LIVENESS))
    return {p.name: p for p in result.properties}


@pytest.mark.parametrize("knobs", FAILOVER_CASES, ids=_ids)
def test_failover_time_agrees_with_the_reference(knobs: dict[str, Any]) -> None:
    got = _liveness(knobs)
    expected = REFERENCE.failover_time(knobs)
    variant = REFERENCE.failover_time(knobs, require_sync_standby=True)
    assert got["FailoverTime"].ticks == expected
    assert got["FailoverTimeSyncStandby"].ticks == variant
    assert got["FailoverTime"].verdict.kind == ("violated" if expected == "never" else "holds")
    assert got["Recovers"].verdict.kind == ("holds" if REFERENCE.recovers(knobs) else "violated")


@pytest.mark.slow
def test_failover_time_with_three_members() -> None:
    got = _liveness({"members": 3})
    assert got["FailoverTime"].ticks == REFERENCE.failover_time({"members": 3}) == 7


def test_failover_time_follows_the_ttl() -> None:
    """A primary that crashes just after a refresh leaves a key that lives ttl + 1 more
    instants; a replica takes it at the next: ttl + 1 ticks, whatever the other timers."""
    for ttl, loop_wait, retry in [(4, 1, 1), (6, 3, 1), (7, 1, 3)]:
        got = _liveness({"ttl": ttl, "loop_wait": loop_wait, "retry_timeout": retry})
        assert got["FailoverTime"].ticks == ttl + 1


def test_synchronous_mode_failover_never_comes_after_the_standby_was_dropped() -> None:
    never = _liveness({"synchronous_mode": True})["FailoverTime"]
    trace = never.trace
    assert never.ticks == "never" and trace is not None and trace.loop is not None
    final = trace.steps[-1].state
    # /sync names the crashed former leader and no standby: only it may take the key.
    assert final["sync_standby"] == "none" and final["sync_leader"] == "A"
    assert final["up"] == {"A": False, "B": True}
    assert trace.labels[trace.loop:] == ["Tick"]


def test_recovers_is_violated_by_a_fair_lasso_when_restarts_are_not_fair() -> None:
    knobs = {"restart_fair": False}
    assert REFERENCE.recovers(knobs) is False
    lasso = _liveness(knobs)["Recovers"]
    assert lasso.verdict.kind == "violated"
    trace = lasso.trace
    assert trace is not None and trace.loop is not None
    # Both hosts crash and nobody is ever restarted: nobody serves on the cycle.
    cycle = [step.state for step in trace.steps[trace.loop:]]
    assert all(not (s["up"][n] and s["role"][n] == "primary") for s in cycle for n in "AB")
    assert trace.labels.count("Crash(A)") + trace.labels.count("Crash(B)") == 2
    # The engine's lasso replays through the model as a fair cycle.
    model = compiled("patroni.py", **knobs)
    replay_lasso(model, trace.init_index, trace.choices, trace.loop, "Recovers")


def test_recovers_holds_when_restarts_are_fair() -> None:
    assert REFERENCE.recovers({}) is True
    assert _liveness({})["Recovers"].verdict.kind == "holds"


def test_recovers_bad_knob_is_one_line_exit_2() -> None:
    status, out, err = run_cli("check", str(CONFIGS / "default.toml"), "--set",
                               "restart_fair=3", "--property", "Recovers")
    assert status == 2
    assert out == "" and len(err.strip().splitlines()) == 1 and "restart_fair" in err


# -- the timer question through synthesize (specs/patroni/QUESTIONS.md) --------------------
def test_synthesize_finds_the_documented_timer_rule() -> None:
    status, data = run_json("synthesize", str(CONFIGS / "question-timers.toml"), "--property",
                            "NoSplitBrain", "--knob", "ttl=4..6", "--knob", "loop_wait=1..2",
                            "--knob", "retry_timeout=1..2", "--engine", "explicit")
    assert status == 0
    points = {(p["knobs"]["ttl"], p["knobs"]["loop_wait"], p["knobs"]["retry_timeout"]):
              p["verdict"] for p in data["points"]}
    assert len(points) == 12
    for (ttl, loop_wait, retry), verdict in points.items():
        assert verdict == ("holds" if loop_wait + 2 * retry <= ttl else "violated")
    # The rule restricted to this box, in the synthesizer's words.
    assert data["constraint"] == "retry_timeout <= 1 ∨ loop_wait <= ttl - 4"


def test_synthesize_bad_knob_range_is_one_line_exit_2() -> None:
    status, out, err = run_cli("synthesize", str(CONFIGS / "question-timers.toml"),
                               "--property", "NoSplitBrain", "--knob", "ttl=0..6",
                               "--engine", "explicit")
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "ttl" in err
