"""The DAG model's action classes, Recovers and FailoverTime (specs/dag/SEMANTICS.md,
"Actions" and "Liveness and failover time"), against the independent reference's
own fair-cycle search and longest-path figure."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from helpers import ROOT, compiled, load_reference, run_cli, run_json

from ccrverify import api
from ccrverify.model import ActionClass, Fairness
from ccrverify.request import Request
from ccrverify.trace import Trace

SPEC = str(ROOT / "specs" / "dag.py")



REFERENCE = load_reference("dag")

# SEMANTICS.md, "Actions": the class of every action.
CLASSES = {
    "Tick": "clock",
    "Replicate": "protocol", "Reseed": "protocol", "Mount": "protocol",
    "PowerReturn": "repair", "HealWan": "repair", "Restart": "repair",
    "PowerLoss": "fault", "CutWan": "fault", "Crash": "fault",
    "Deliver": "workload",
    "StopDag": "administrator", "RestoreDag": "administrator", "StartDag": "administrator",
}
FAIR = {"clock", "protocol", "repair"}


def _id(knobs: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in knobs.items()) or "default"


def _run(knobs: dict[str, Any], *names: str) -> dict[str, Any]:
    result = api.run(api.target(SPEC, knobs=knobs), "explicit", Request(names))
    return {p.name: p for p in result.properties}


def test_every_action_has_its_documented_class_and_fairness() -> None:
    model = compiled("dag.py", dac=True, mount_dial=0)
    seen = set()
    for action in model.actions:
        seen.add(action.name)
        assert action.cls == ActionClass(CLASSES[action.name]), action.label
        expected = Fairness.WEAK if action.cls.value in FAIR else None
        assert action.fairness == expected, action.label
        assert action.fair_key == action.label  # fair per instance
    assert seen == set(CLASSES)
    # Without the switchover cmdlets the administrator has no action at all.
    plain = {a.cls for a in compiled("dag.py", switchover=False).actions}
    assert ActionClass.ADMINISTRATOR not in plain and ActionClass.FAULT in plain


# -- the trace in the reference's terms -------------------------------------------------
def _as_reference(layout: Any, state: dict[str, Any]) -> tuple[Any, ...]:
    names = layout.names
    return (
        (state["power"]["primary"], state["power"]["second"]), state["wan"],
        tuple(state["up"][a] for a in names), tuple(state["role"][a] for a in names),
        tuple(state["conf"][a] for a in names), tuple(state["dacp"][a] for a in names),
        tuple(state["missed"][a] for a in names), tuple(tuple(state["log"][a]) for a in names),
        tuple(state["known"][a] for a in names),
        tuple(state["acked"][w] for w in range(1, layout.W + 1)),
        state["started"], state["faults"])


def _serves(layout: Any, st: tuple[Any, ...]) -> bool:
    return any(REFERENCE.serving(st, a) for a in range(layout.n))


def _check_never_lasso(knobs: dict[str, Any], trace: Trace, caught_up: bool) -> None:
    """A 'never' lasso: from a state the reference calls a trigger, only Tick and protocol
    actions, Tick only where no protocol action is enabled, and nobody serves again."""
    layout = REFERENCE.Layout(knobs)
    states = [_as_reference(layout, s.state) for s in trace.steps]
    labels = trace.labels
    assert trace.loop is not None
    for i, st in enumerate(states[:trace.loop + 1]):
        if not REFERENCE.is_trigger(layout, st, caught_up):
            continue
        rest = states[i:]
        if any(_serves(layout, x) for x in rest):
            continue
        quiet = all(label == "Tick" or label.split("(")[0] in REFERENCE.PROTOCOL
                    for label in labels[i:])
        # Each step is one the reference takes on a quiet, prompt run.
        prompt = all((1 if labels[j] == "Tick" else 0, states[j + 1])
                     in REFERENCE.quiet_prompt_steps(layout, states[j])
                     for j in range(i, len(labels)))
        if quiet and prompt:
            return
    raise AssertionError(f"no trigger from which the lasso is quiet and prompt: {labels}")


# SEMANTICS.md's FailoverTime figures (general, caught-up) on small layouts; the engine
# and the reference must both give them.
FAILOVER: list[tuple[dict[str, Any], Any, Any]] = [
    ({"primary_members": 1, "second_members": 1}, 1, 1),
    # Automount consensus: a restarted member (bit 0) whose peer is down never mounts.
    ({"primary_members": 1, "second_members": 1, "dac": True}, "never", "never"),
    ({"second_members": 1, "detect_ticks": 2, "max_faults": 1}, 2, 2),
    ({"primary_members": 1, "dac": True, "max_faults": 1}, 1, 1),
    # Lossless: a copy that heard of a log it lacks waits for its failed source.
    ({"primary_members": 1, "second_members": 1, "mount_dial": 0}, "never", 1),
    ({"second_members": 1, "detect_ticks": 3, "max_faults": 1, "switchover": False}, 3, 3),
    ({"primary_members": 1, "second_members": 1, "writes": 2, "mount_dial": 1,
      "switchover": False}, "never", 1),
]


@pytest.mark.parametrize(("knobs", "general", "caught_up"), FAILOVER,
                         ids=[_id(k) for k, _, _ in FAILOVER])
def test_failover_time_engine_and_reference_agree(knobs: dict[str, Any], general: Any,
                                                  caught_up: Any) -> None:
    assert REFERENCE.failover_time(knobs) == general
    assert REFERENCE.failover_time(knobs, caught_up=True) == caught_up
    got = _run(knobs, "FailoverTime", "FailoverTimeCaughtUp")
    for name, figure, variant in (("FailoverTime", general, False),
                                  ("FailoverTimeCaughtUp", caught_up, True)):
        prop = got[name]
        assert prop.ticks == figure, name
        if figure == "never":
            assert prop.verdict.kind == "violated" and prop.trace is not None
            _check_never_lasso(knobs, prop.trace, variant)
        else:
            assert prop.verdict.kind == "holds" and prop.trace is None


@pytest.mark.slow
@pytest.mark.parametrize(("knobs", "general", "caught_up"), [
    ({}, 1, 1),
    ({"dac": True}, 1, 1),
    ({"mount_dial": 0}, "never", 1),
    ({"detect_ticks": 2}, 2, 2),
    ({"max_faults": 3}, 1, 1),
    ({"max_faults": 3, "dac": True}, "never", "never"),
    ({"second_members": 1, "dac": True}, "never", "never"),
], ids=["default", "dac", "lossless", "detect2", "F3", "F3-dac", "2+1-dac"])
def test_failover_time_on_larger_layouts(knobs: dict[str, Any], general: Any,
                                         caught_up: Any) -> None:
    got = _run(knobs, "FailoverTime", "FailoverTimeCaughtUp")
    assert got["FailoverTime"].ticks == general == REFERENCE.failover_time(knobs)
    assert got["FailoverTimeCaughtUp"].ticks == caught_up == REFERENCE.failover_time(
        knobs, caught_up=True)


# -- Recovers -------------------------------------------------------------------------------
RECOVERS: list[tuple[dict[str, Any], str]] = [
    # The administrator may switch over and back forever, each time before a mount.
    ({"primary_members": 1, "second_members": 1}, "violated"),
    ({"second_members": 1, "max_faults": 1}, "violated"),
    # Without the switchover cmdlets, fair repairs bring every member back and one mounts.
    ({"primary_members": 1, "second_members": 1, "switchover": False}, "holds"),
    ({"primary_members": 1, "second_members": 1, "dac": True, "switchover": False}, "holds"),
    ({"second_members": 1, "detect_ticks": 3, "max_faults": 1, "switchover": False}, "holds"),
    # The published layout without the cmdlets, as shipped and Lossless.
    ({"switchover": False}, "holds"),
    ({"mount_dial": 0, "switchover": False}, "holds"),
]


@pytest.mark.parametrize(("knobs", "expected"), RECOVERS, ids=[_id(k) for k, _ in RECOVERS])
def test_recovers_engine_and_reference_agree(knobs: dict[str, Any], expected: str) -> None:
    assert REFERENCE.recovers(knobs) == expected
    prop = _run(knobs, "Recovers")["Recovers"]
    assert prop.verdict.kind == expected
    if expected == "holds":
        assert prop.trace is None
        return
    trace = prop.trace
    assert trace is not None and trace.loop is not None
    layout = REFERENCE.Layout(knobs)
    states = [_as_reference(layout, s.state) for s in trace.steps]
    # The cycle returns to its first state, nobody serves on it, and it is weakly fair
    # in the reference's terms: every fair instance enabled in all of its states is taken.
    assert states[trace.loop] == states[-1]
    cycle = states[trace.loop:]
    assert not any(_serves(layout, st) for st in cycle)
    taken = set(trace.labels[trace.loop:])
    always = set.intersection(*({label for label, _ in REFERENCE.successors(layout, st)
                                 if label.split("(")[0] in REFERENCE.FAIR} for st in cycle))
    assert always <= taken
    # Only an administrator action (not fair) keeps the cycle from its fair mount.
    assert any(CLASSES[label.split("(")[0]] == "administrator" for label in taken)


def test_recovers_lasso_from_the_command_line() -> None:
    status, data = run_json("check", "specs/dag.py", "--set", "primary_members=1",
                            "--set", "second_members=1", "--property", "Recovers")
    assert status == 1
    prop = data["properties"][0]
    assert prop["verdict"] == "violated" and prop["trace"]["loop"] is not None
    assert any("Mount" in line and "Restart" in line for line in prop["fairness"])
    status, data = run_json("check", "specs/dag.py", "--set", "primary_members=1",
                            "--set", "second_members=1", "--set", "switchover=false",
                            "--property", "Recovers")
    assert status == 0 and data["properties"][0]["verdict"] == "holds"


def test_a_recovers_lasso_exits_1_through_a_shell_pipe() -> None:
    command = (f"{sys.executable} -m ccrverify.cli check {SPEC} --set primary_members=1 "
               "--set second_members=1 --property Recovers | true; echo ${PIPESTATUS[0]}")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1", done.stderr


@pytest.mark.parametrize("setting", ["switchover=maybe", "power_faults=2", "wan_faults=perhaps"])
def test_a_malformed_boolean_knob_is_one_line_with_exit_2(setting: str) -> None:
    status, out, err = run_cli("check", SPEC, "--set", setting, "--property", "Recovers")
    assert status == 2 and out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and setting.split("=")[0] in lines[0]
