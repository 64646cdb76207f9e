"""The Pacemaker two-node model: agreement with an independent plain-Python
implementation of specs/pacemaker/SEMANTICS.md, the documented incidents as
shortest counterexamples, and the protected configurations."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import BACKENDS, ROOT, compiled, load_reference, run_cli, run_json

from ccrverify import api
from ccrverify.explicit import engine
from ccrverify.loader import load
from ccrverify.request import Request
from ccrverify.symbolic.certificate import check_text
from ccrverify.trace import replay, replay_lasso

REFERENCE = load_reference("pacemaker")

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
    {"boot_ticks": 2},
    {"cancel_stale": True, "fence_delay": 3, "wait_for_all": False},
    {"boot_ticks": 3, "cancel_stale": True, "fence_delay": 1, "wait_for_all": False},
    {"boot_ticks": 1, "token_ticks": 3, "fence_delay": 2, "max_faults": 3},
]
# The state space, the safety verdicts and deadlock freedom (the availability
# properties are cross-checked on their own below).
SAFETY_REQUEST = Request(properties=("NoSplitBrain", "NoMutualFencing", "NoFenceLoop",
                                     "DeadlockFree"))


def _case_id(knobs: dict[str, Any]) -> str:
    return ",".join(f"{a}={b}" for a, b in knobs.items()) or "default"


# Half of the cases run in the default suite, the rest with the slow tests.
FAST_REFERENCE = (0, 1, 2, 4, 5, 10, 12, 13)


@pytest.mark.parametrize("knobs", [
    pytest.param(k, id=_case_id(k), marks=() if i in FAST_REFERENCE else pytest.mark.slow)
    for i, k in enumerate(REFERENCE_CASES)])
@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_with_the_independent_reference(knobs: dict[str, Any], backend: str) -> None:
    reference = REFERENCE.explore(knobs)
    result = engine.check(compiled("pacemaker.py", **knobs), SAFETY_REQUEST, backend=backend)
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
        result = engine.check(compiled("pacemaker.py", **knobs), SAFETY_REQUEST,
                              backend=backend)
        s = result.stats
        assert (s.distinct_states, s.transitions, s.depth) == (
            reference["distinct_states"], reference["transitions"], reference["depth"])
        for name, shortest in reference["shortest"].items():
            assert result.property(name).trace_length == shortest


# -- the incidents ------------------------------------------------------------------
SAFETY = ("NoSplitBrain", "NoMutualFencing", "NoFenceLoop")


def _check(config: str, *properties: str) -> tuple[int, dict[str, Any]]:
    """`ccrverify check` of a named configuration, deciding the safety properties
    (the availability ones have tests of their own below)."""
    chosen = [arg for name in properties or SAFETY for arg in ("--property", name)]
    return run_json("check", f"specs/pacemaker/{config}.toml", *chosen)


# SEMANTICS.md, "Named configurations": each incident's property, its exit status
# with only that property decided, and its shortest counterexample.
INCIDENTS = [
    ("fence-race", "NoMutualFencing", 1, 5),
    ("fence-race-delay", "NoMutualFencing", 0, None),
    ("fence-race-qdevice", "NoMutualFencing", 0, None),
    ("fence-loop", "NoFenceLoop", 1, 6),
    ("fence-loop-wfa", "NoFenceLoop", 0, None),
    ("split-brain-no-stonith", "NoSplitBrain", 1, 4),
    ("split-brain-stonith", "NoSplitBrain", 0, None),
    ("split-brain-no-stonith-qdevice", "NoSplitBrain", 1, 5),
]


@pytest.mark.parametrize(("config", "prop", "status", "length"), INCIDENTS,
                         ids=[f"{c}-{p}" for c, p, _, _ in INCIDENTS])
def test_each_incident_configuration_decides_its_property(
        config: str, prop: str, status: int, length: int | None) -> None:
    got, data = _check(config, prop)
    assert got == status
    assert [p["name"] for p in data["properties"]] == [prop]
    assert data["properties"][0]["trace_length"] == length


def test_an_incident_exits_1_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check "
                           "specs/pacemaker/fence-race.toml --property NoMutualFencing | true; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1"


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
    labels = _labels(split)  # both cuts, the token timeout, then B starts alone
    assert sorted(labels) == sorted(["Cut(AQ)", "Cut(AB)", "Tick", "Tick", "Start(B)"])
    assert labels[-1] == "Start(B)"
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
                             "stonith": True, "token_ticks": 2, "wait_for_all": True,
                             "boot_ticks": 0, "cancel_stale": False, "a_returns": True}
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


# SEMANTICS.md, "Actions": the class and the fairness of every action.
DOCUMENTED_CLASSES = {
    "Tick": "clock", "Fence": "protocol", "Start": "protocol", "StopNoQuorum": "protocol",
    "StopMultipleActive": "protocol", "Cut": "fault", "Crash": "fault", "PowerLoss": "fault",
    "Heal": "repair", "Boot": "repair",
}


def test_every_action_has_its_documented_class_and_fairness() -> None:
    model = compiled("pacemaker.py", qdevice=True)
    assert {a.name for a in model.actions} == set(DOCUMENTED_CLASSES)
    for action in model.actions:
        assert action.cls == DOCUMENTED_CLASSES[action.name], action.label
        fair = action.cls in ("clock", "protocol", "repair")
        assert (action.fairness == "weak") == fair, action.label
        assert action.fair_key == action.label  # each instance on its own
    assert set(load(str(ROOT / "specs" / "pacemaker.py")).spec.faults) == {
        n for n, c in DOCUMENTED_CLASSES.items() if c == "fault"}


def test_without_a_returns_boot_a_alone_is_not_fair() -> None:
    model = compiled("pacemaker.py", a_returns=False)
    fairness = {a.label: a.fairness for a in model.actions if a.name == "Boot"}
    assert fairness == {"Boot(A)": None, "Boot(B)": "weak"}


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


# -- the engine's availability verdicts against the reference ------------------------
AVAILABILITY = Request(properties=("Recovers", "FailoverTime", "FailoverTimeToA",
                                   "FailoverTimeAnyPeer"))
LIVENESS_CASES: list[dict[str, Any]] = [
    {},
    {"fence_delay": 2},
    {"wait_for_all": False, "fence_delay": 2},
    {"stonith": False},
    {"qdevice": True},
    {"token_ticks": 3, "fence_delay": 1},
    {"boot_ticks": 2, "fence_delay": 1},
    {"cancel_stale": True, "fence_delay": 3, "wait_for_all": False},
    {"a_returns": False},
    {"qdevice": True, "a_returns": False},
    {"fence_delay": 2, "max_faults": 1},  # no trigger with B down: ToA is vacuous, 0
]


def _availability(knobs: dict[str, Any]) -> dict[str, Any]:
    target = api.target(str(ROOT / "specs" / "pacemaker.py"), knobs=knobs)
    return {p.name: p for p in api.run(target, "explicit", AVAILABILITY).properties}


@pytest.mark.parametrize("knobs", LIVENESS_CASES, ids=_case_id)
def test_failover_times_and_recovers_agree_with_the_reference(knobs: dict[str, Any]) -> None:
    got = _availability(knobs)
    expected = {
        "FailoverTime": REFERENCE.failover_time(knobs),
        "FailoverTimeToA": REFERENCE.failover_time(knobs, down="B"),
        "FailoverTimeAnyPeer": REFERENCE.failover_time(knobs, any_peer=True),
    }
    for name, figure in expected.items():
        assert got[name].ticks == figure, name
        assert got[name].verdict.kind == ("violated" if figure == "never" else "holds"), name
        if figure is None:  # no trigger: holds, and says why instead of a figure
            assert "no reachable state is a trigger" in got[name].verdict.reason
        if figure == "never":  # the engine's lasso: the response never comes
            trace = got[name].trace
            assert trace is not None and trace.loop is not None
    recovers = REFERENCE.recovers(knobs)
    assert got["Recovers"].verdict.kind == ("holds" if recovers else "violated")


def test_failover_time_is_detection_plus_the_delay_on_a() -> None:
    # SEMANTICS.md: token_ticks + fence_delay, the worst case a crash of A.
    for t, d in [(1, 0), (2, 3), (3, 2)]:
        got = _availability({"token_ticks": t, "fence_delay": d})
        assert got["FailoverTime"].ticks == t + d
        assert got["FailoverTimeToA"].ticks == t


def _lasso_labels(prop: Any) -> tuple[list[str], int]:
    trace = prop.trace
    assert trace is not None and trace.loop is not None
    return list(trace.labels), trace.loop


def test_recovers_holds_when_every_node_comes_back() -> None:
    got = _availability({})
    assert got["Recovers"].verdict.kind == "holds"
    assert any("Boot" in line for line in got["Recovers"].fairness)


def test_recovers_fails_with_a_lasso_when_a_is_lost_for_good() -> None:
    # SEMANTICS.md, a_returns: B, booted alone under wait_for_all, is never quorate.
    knobs = {"a_returns": False}
    prop = _availability(knobs)["Recovers"]
    assert prop.verdict.kind == "violated"
    labels, loop = _lasso_labels(prop)
    assert labels[loop:] == ["Tick"] and "Boot(B)" in labels and "Boot(A)" not in labels
    final = prop.trace.steps[-1].state
    assert final["status"] == {"A": "down", "B": "inquorate"}
    model = compiled("pacemaker.py", **knobs)
    index = {a.label: i for i, a in enumerate(model.actions)}
    again = replay_lasso(model, 0, [index[x] for x in labels], loop, "Recovers")
    assert again.loop == loop
    # Without wait_for_all the lone B becomes quorate and starts the resource.
    assert _availability({"a_returns": False, "wait_for_all": False})[
        "Recovers"].verdict.kind == "holds"


def test_any_peer_never_comes_under_wait_for_all() -> None:
    prop = _availability({})["FailoverTimeAnyPeer"]
    labels, loop = _lasso_labels(prop)
    assert labels[loop:] == ["Tick"]
    assert prop.trace.steps[-1].state["status"]["B" if "Boot(A)" in labels else "A"] == "down"


def test_a_failover_bound_below_the_detection_time_is_violated(tmp_path: Path) -> None:
    # A `within` bound turns the figure into a verdict: 2 ticks is too short with
    # a 2-tick delay on A (the figure is 4), 4 ticks is enough.
    (tmp_path / "specs").mkdir()
    (tmp_path / "properties").mkdir()
    spec = tmp_path / "specs" / "pacemaker.py"
    spec.write_text((ROOT / "specs" / "pacemaker.py").read_text())
    (tmp_path / "properties" / "pacemaker.py").write_text(
        (ROOT / "properties" / "pacemaker.py").read_text()
        + "\n\n@props.response('FastFailover', within=2)\n"
        "def fast(s):\n    return failover_time(s)\n\n\n"
        "@props.response('SlowFailover', within=4)\n"
        "def slow(s):\n    return failover_time(s)\n")
    status, data = run_json("check", str(spec), "--set", "fence_delay=2",
                            "--property", "FastFailover", "--property", "SlowFailover")
    assert status == 1
    got = {p["name"]: p for p in data["properties"]}
    assert got["FastFailover"]["verdict"] == "violated" and got["FastFailover"]["ticks"] == 4
    assert got["SlowFailover"]["verdict"] == "holds"


def test_a_liveness_violation_exits_1_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check "
                           "specs/pacemaker.py --set a_returns=false --property Recovers "
                           "| true; echo ${PIPESTATUS[0]}"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1"


def test_a_malformed_availability_request_is_one_line_exit_2() -> None:
    status, out, err = run_cli("check", "specs/pacemaker.py", "--set", "a_returns=maybe",
                               "--property", "Recovers")
    assert status == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    status, out, err = run_cli("check", "specs/pacemaker.py", "--property", "FailoverTimeToB")
    assert status == 2 and len(err.strip().splitlines()) == 1 and "FailoverTimeToB" in err


# -- proofs: PDR agrees with the explicit engine, its certificate re-checked by z3 ----
PROTECTED = [(c, p) for c, p, status, _ in INCIDENTS if status == 0]
INCIDENT_RUNS = [(c, p, n) for c, p, status, n in INCIDENTS if status == 1]


def _z3_binary() -> str | None:
    beside = Path(sys.executable).parent / "z3"  # pip's z3-solver installs it in the venv
    return str(beside) if beside.exists() else shutil.which("z3")


def _recheck(text: str, tmp_path: Path) -> list[str]:
    """The answers of a fresh z3 process (or, without the binary, a fresh solver)."""
    binary = _z3_binary()
    if binary is None:
        return ["unsat" if ok else "sat" for ok in [check_text(text).valid]]
    path = tmp_path / "certificate.smt2"
    path.write_text(text)
    done = subprocess.run([binary, str(path)], capture_output=True, text=True, timeout=120)
    return done.stdout.split()


@pytest.mark.slow
@pytest.mark.parametrize(("config", "prop"), PROTECTED, ids=[c for c, _ in PROTECTED])
def test_pdr_proves_each_protection_with_a_certificate_z3_rechecks(
        config: str, prop: str, tmp_path: Path) -> None:
    certificate = tmp_path / f"{config}.smt2"
    status, data = run_json("prove", f"specs/pacemaker/{config}.toml", "--engine", "pdr",
                            "--property", prop, "--certificate", str(certificate))
    assert status == 0
    assert [(p["name"], p["verdict"]) for p in data["properties"]] == [(prop, "holds")]
    text = certificate.read_text()
    answers = _recheck(text, tmp_path)
    assert answers and set(answers) == {"unsat"}
    assert len(answers) in (1, text.count("\n(check-sat)"))  # 1: the fresh solver's
    # The re-check can fail: the property alone is not an inductive invariant here.
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("(define-fun inv_"))
    end = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("("))
    p_at = next(i for i, line in enumerate(lines) if line.startswith("(define-fun prop_"))
    p_end = next(i for i in range(p_at + 1, len(lines)) if lines[i].startswith("("))
    lines[at + 1:end] = lines[p_at + 1:p_end]
    assert "sat" in _recheck("\n".join(lines) + "\n", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(("config", "prop", "length"), INCIDENT_RUNS,
                         ids=[c for c, _, _ in INCIDENT_RUNS])
def test_pdr_finds_each_incident_as_the_explicit_engine_does(
        config: str, prop: str, length: int) -> None:
    status, data = run_json("prove", f"specs/pacemaker/{config}.toml", "--engine", "pdr",
                            "--property", prop)
    assert status == 1
    found = data["properties"][0]
    assert found["verdict"] == "violated" and found["trace_length"] == length
    # Where several shortest counterexamples exist (Fence(A) before Fence(B) or after
    # it), the solver may give any of them (every witness is replayed): the same
    # actions, in some order, to a state where the explicit engine's ends too.
    _, explicit = run_json("check", f"specs/pacemaker/{config}.toml", "--property", prop,
                           "--counterexamples", "50")
    shortest = explicit["properties"][0]
    ends = [(sorted(step["action"] for step in trace["steps"][1:]), trace["steps"][-1]["state"])
            for trace in [shortest["trace"], *shortest.get("more_traces", [])]]
    assert (sorted(_labels(found)), _last_state(found)) in ends


# -- the configuration question (specs/pacemaker/QUESTIONS.md) -------------------------
def _race_closed(*knob_sets: str, grid: tuple[str, ...]) -> dict[tuple[int, int], bool]:
    """NoMutualFencing over a sweep: (fence_delay, token_ticks) -> holds."""
    sets = [arg for knobs in knob_sets for arg in ("--set", knobs)]
    axes = [arg for axis in grid for arg in ("--grid", axis)]
    status, data = run_json("sweep", "specs/pacemaker.py", *sets, *axes, "--property",
                            "NoMutualFencing", "--jobs", "1", "--no-store")
    assert status in (0, 1)
    return {(p["knobs"]["fence_delay"], p["knobs"]["token_ticks"]):
            p["properties"][0]["verdict"] == "holds" for p in data["points"]}


GRID = ("fence_delay=0..3", "token_ticks=1..2")


def test_without_wait_for_all_only_a_delay_equal_to_the_detection_time_closes_the_race() -> None:
    closed = _race_closed("wait_for_all=false", grid=GRID)
    assert len(closed) == 8
    assert closed == {(d, t): d == t for d, t in closed}


@pytest.mark.slow
def test_with_wait_for_all_a_delay_up_to_the_detection_time_closes_the_race() -> None:
    closed = _race_closed("max_faults=3", grid=GRID)
    assert closed == {(d, t): 1 <= d <= t for d, t in closed}
    # Cancelling a stale request removes the upper bound: any delay of a tick or more.
    cancelled = _race_closed("max_faults=3", "cancel_stale=true", grid=GRID)
    assert cancelled == {(d, t): d >= 1 for d, t in cancelled}


def test_a_malformed_sweep_axis_is_one_line_exit_2() -> None:
    status, _, err = run_cli("sweep", "specs/pacemaker.py", "--grid", "fence_delay=3..x",
                             "--no-store")
    assert status == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.slow
@pytest.mark.parametrize(("config", "prop"), [(c, p) for c, p, _ in INCIDENT_RUNS],
                         ids=[c for c, _, _ in INCIDENT_RUNS])
def test_explore_finds_each_incident(config: str, prop: str) -> None:
    status, out, _ = run_cli("explore", f"specs/pacemaker/{config}.toml", "--property", prop,
                             "--seed", "0", "--max-examples", "300", "--no-db", "--json")
    assert status == 1
    found = json.loads(out)["properties"][0]
    assert found["verdict"] == "violated" and found["trace"] is not None


def test_the_incident_report_draws_a_lane_per_node_and_one_for_the_links(
        tmp_path: Path) -> None:
    out = tmp_path / "race.md"
    status, _, _ = run_cli("report", "specs/pacemaker/fence-race.toml", "--property",
                           "NoMutualFencing", "--out", str(out))
    assert status == 1
    page = out.read_text()
    assert "Generated by `ccrverify " in page
    svg = (tmp_path / "race" / "timeline-NoMutualFencing.svg").read_text()
    texts = set(re.findall(r">([^<>]+)</text>", svg))
    assert {"A", "B", "net", "Cut(AB)", "Fence(A)", "Fence(B)"} <= texts
    assert "violation of NoMutualFencing" in texts
