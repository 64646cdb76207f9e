"""Liveness and response times: PROTOCOL.md's figures for CCR, the classic
examples, the fairness semantics on hand-made graphs (cross-checked against a
brute-force oracle that enumerates every infinite behaviour's cycle), and the
patterns behind other tools' false "no violation" verdicts."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, graph_spec, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from ccrverify import api
from ccrverify.request import Request
from ccrverify.trace import ReplayError, replay_lasso

CCR = str(ROOT / "specs" / "ccr.py")
# Random graphs checked against the oracle (1,500 agreed when last raised by hand).
ORACLE_EXAMPLES = int(os.environ.get("CCRVERIFY_ORACLE_EXAMPLES", "80"))


def verdicts(spec: str, **knobs: Any) -> dict[str, Any]:
    result = api.run(api.target(spec, knobs=knobs), "explicit")
    return {p.name: p for p in result.properties}


# -- PROTOCOL.md, "Liveness and failover time" ----------------------------------------
def test_ccr_defaults_recovers_and_failover_times() -> None:
    got = verdicts(CCR)
    assert got["Recovers"].verdict.kind == "holds"
    assert got["FailoverTimeCaughtUp"].verdict.kind == "holds"
    assert got["FailoverTimeCaughtUp"].ticks == 2
    never = got["FailoverTime"]
    assert never.verdict.kind == "violated" and never.ticks == "never"
    trace = never.trace
    assert trace is not None and trace.loop is not None
    # The lasso: A crashed while B lagged behind A's log; B never mounts (the dial is 0).
    final = trace.steps[-1].state
    assert final["up"]["A"] is False and final["role"]["B"] == "passive"
    assert len(final["log"]["B"]) < len(final["log"]["A"])
    assert trace.labels[trace.loop:] == ["Tick"]


@pytest.mark.parametrize(("knobs", "general", "caught_up"), [
    ({"heartbeat_tolerance": 4}, "never", 4),
    ({"mount_dial": 2}, 2, 2),
    ({"heartbeat_tolerance": 3, "mount_dial": 2}, 3, 3),
])
def test_ccr_failover_time_follows_the_knobs(knobs: dict[str, int], general: Any,
                                             caught_up: int) -> None:
    got = verdicts(CCR, **knobs)
    assert got["FailoverTime"].ticks == general
    assert got["FailoverTimeCaughtUp"].ticks == caught_up


def test_recovers_fails_when_restart_is_not_fair() -> None:
    got = verdicts(CCR, restart_fair=False)
    lasso = got["Recovers"]
    assert lasso.verdict.kind == "violated"
    trace = lasso.trace
    assert trace is not None and trace.loop is not None
    assert all(not (s.state["up"][n] and s.state["role"][n] == "active")
               for s in trace.steps[trace.loop:] for n in "AB")
    assert any("Restart" in line for line in verdicts(CCR)["Recovers"].fairness)
    assert not any("Restart" in line for line in lasso.fairness)


def test_response_with_a_bound_is_a_verdict(tmp_path: Path) -> None:
    bounded = tmp_path / "props.py"
    spec = tmp_path / "ccrb.py"
    spec.write_text(Path(CCR).read_text())
    bounded.write_text(
        Path(ROOT / "properties" / "ccr.py").read_text()
        + "\n\n@props.response('FastFailover', within=1)\n"
          "def fast(s):\n    return _failover_trigger(s, True), _someone_serves(s)\n")
    props_dir = tmp_path.parent / "properties"
    del props_dir  # the properties file is found next to specs/; load it by hand instead
    from ccrverify.loader import _import

    module = _import(bounded)
    loaded = api.target(spec)
    loaded = api.Target(type(loaded.loaded)(loaded.loaded.path, loaded.loaded.spec,
                                             (module.props,)), {})
    result = api.run(loaded, "explicit", Request(("FastFailover", "FailoverTimeCaughtUp")))
    fast = result.property("FastFailover")
    assert fast.verdict.kind == "violated" and fast.ticks == 2
    assert fast.trace is not None and fast.trace.loop is None
    assert "2 ticks after the trigger" in fast.trace.ends_in


# -- the classic examples ---------------------------------------------------------------
def test_peterson_starvation_freedom_needs_fairness() -> None:
    spec = str(ROOT / "specs/examples/peterson.py")
    assert verdicts(spec)["StarvationFree"].verdict.kind == "holds"
    unfair = verdicts(spec, fair=False)["StarvationFree"]
    assert unfair.verdict.kind == "violated"
    assert unfair.trace is not None and unfair.trace.loop == len(unfair.trace)  # it stops


@pytest.mark.parametrize("rm", [2, 3])
def test_twophase_every_resource_manager_decides_and_stays(rm: int) -> None:
    got = verdicts(str(ROOT / "specs/examples/twophase.py"), rm=rm)
    assert got["AllDecide"].verdict.kind == "holds"
    assert got["DecisionsStay"].verdict.kind == "holds"


@pytest.mark.parametrize("spec", ["twophase.py", "peterson.py"])
@pytest.mark.parametrize("backend", ["numpy", "python"])
def test_a_state_limit_gives_unknown_or_a_real_lasso(spec: str, backend: str) -> None:
    """A cut-off state looks terminal, where stuttering would look fair: a partial
    graph must give unknown or a lasso that replays (fair), never holds."""
    path = str(ROOT / "specs/examples" / spec)
    knobs = {"fair": False} if spec == "peterson.py" else {"rm": 3}
    whole = api.run(api.target(path, knobs=knobs), backend)
    full = {p.name: p.verdict.kind for p in whole.properties}
    size = whole.stats.distinct_states
    for limit in sorted({1, 5, size // 3, size // 2, size - 1}):
        got = api.run(api.target(path, knobs=knobs), backend, Request(max_states=limit))
        assert not got.complete
        for prop in got.properties:
            assert prop.verdict.kind in ("unknown", full[prop.name]), (limit, prop.name)
            assert prop.verdict.kind != "holds", (limit, prop.name)


# -- fairness semantics on hand-made graphs ------------------------------------------------
def check_graph(path: str) -> dict[str, str]:
    result = api.run(api.target(path), "explicit", Request(check_deadlock=False))
    return {p.name: p.verdict.kind.value for p in result.properties}


def test_weak_versus_strong_fairness(tmp_path: Path) -> None:
    # 0 <-> 1 by weakly fair flips; from 1 an action to the goal 2. It is enabled
    # infinitely often but not continuously: weak fairness does not force it, strong does.
    for fair, expected in (("weak", "violated"), ("strong", "holds")):
        spec = graph_spec(tmp_path, 3, [(0, 1, "weak"), (1, 0, "weak"), (1, 2, fair)], [2],
                          name=f"ws{fair}")
        assert check_graph(spec)["Ev"] == expected


def test_stuttering_is_fair_only_where_no_fair_action_is_enabled(tmp_path: Path) -> None:
    weak = graph_spec(tmp_path, 2, [(0, 1, "weak")], [1], name="stw")
    unfair = graph_spec(tmp_path, 2, [(0, 1, None)], [1], name="stu")
    assert check_graph(weak)["Ev"] == "holds"
    assert check_graph(unfair)["Ev"] == "violated"  # the behaviour may stop in 0


def test_a_terminal_state_stutters(tmp_path: Path) -> None:
    spec = graph_spec(tmp_path, 3, [(0, 1, "weak"), (1, 2, "weak")], [1], name="term")
    got = check_graph(spec)
    assert got["Ev"] == "holds"  # 1 is passed on the way
    assert got["AlwaysEv"] == "violated"  # then 2 stutters for ever
    assert got["EvAlways"] == "violated"


def test_contradictory_eventually_always_cannot_both_hold(tmp_path: Path) -> None:
    # A fair cycle 0 -> 1 -> 0: <>[](x = 0) and <>[](x = 1) both fail.
    one = graph_spec(tmp_path, 2, [(0, 1, "weak"), (1, 0, "weak")], [0], name="c0")
    other = graph_spec(tmp_path, 2, [(0, 1, "weak"), (1, 0, "weak")], [1], name="c1")
    assert check_graph(one)["EvAlways"] == check_graph(other)["EvAlways"] == "violated"


def test_fair_on_the_component_but_not_on_a_cycle(tmp_path: Path) -> None:
    # The component {0, 1, 2} takes every action somewhere; the strongly fair exit
    # from 1 (to the goal 3) is enabled on every cycle through 1. A checker that judged
    # the component, not a cycle, would call the goal avoidable.
    spec = graph_spec(tmp_path, 4, [(0, 1, "weak"), (1, 0, "weak"), (1, 2, "weak"),
                                    (2, 1, "weak"), (1, 3, "strong")], [3], name="comp")
    assert check_graph(spec)["Ev"] == "holds"
    # Without the strong exit's fairness the cycle 0 <-> 1 avoids it, fairly.
    spec = graph_spec(tmp_path, 4, [(0, 1, "weak"), (1, 0, "weak"), (1, 2, "weak"),
                                    (2, 1, "weak"), (1, 3, None)], [3], name="comp2")
    assert check_graph(spec)["Ev"] == "violated"


def test_replay_rejects_an_unfair_lasso(tmp_path: Path) -> None:
    spec = graph_spec(tmp_path, 3, [(0, 1, "weak"), (1, 0, "weak"), (1, 2, "strong")], [2],
                      name="unfair")
    compiled = api.target(spec).build()
    from ccrverify.compile import compile_model

    c = compile_model(compiled)
    # 0 -> 1 -> 0 for ever never takes the strongly fair E2 enabled in 1: not fair.
    with pytest.raises(ReplayError, match="not fair to E2"):
        replay_lasso(c, 0, [0, 1], 0, "Ev")
    with pytest.raises(ReplayError, match="does not close"):
        replay_lasso(c, 0, [0], 0, "Ev")


# -- random graphs against a brute-force oracle ----------------------------------------------
def oracle(n: int, edges: list[tuple[int, int, str | None]], goal: set[int],
           trigger: set[int]) -> dict[str, str]:
    """Every infinite behaviour ends in a strongly connected set of edges taken
    infinitely often (or stutters in one state): enumerate them all."""
    succ: dict[int, list[int]] = {v: [] for v in range(n)}
    for u, v, _ in edges:
        succ[u].append(v)
    reach = _closure(succ, {0})

    def enabled(v: int, e: int) -> bool:
        return edges[e][0] == v

    def fair(nodes: set[int], taken: set[int]) -> bool:
        for e, (_, _, kind) in enumerate(edges):
            if kind is None or e in taken:
                continue
            on = [enabled(v, e) for v in nodes]
            if (kind == "weak" and all(on)) or (kind == "strong" and any(on)):
                return False
        return True

    ends: list[set[int]] = []  # node sets of fair infinite endings
    for v in range(n):
        if fair({v}, set()):
            ends.append({v})  # stuttering
    for size in range(1, len(edges) + 1):
        for subset in itertools.combinations(range(len(edges)), size):
            nodes = {edges[e][0] for e in subset} | {edges[e][1] for e in subset}
            local = {v: [edges[e][1] for e in subset if edges[e][0] == v] for v in nodes}
            if all(_closure(local, {v}) == nodes for v in nodes) and fair(nodes, set(subset)):
                ends.append(nodes)

    def avoidable(starts: set[int], avoid: set[int]) -> bool:
        inside = {v: [w for w in succ[v] if w not in avoid] for v in range(n)}
        region = _closure(inside, starts - avoid)
        return any(end <= region and not end & avoid for end in ends)

    reachable_ends = [end for end in ends if end <= reach]
    return {
        "Ev": "violated" if avoidable({0}, goal) else "holds",
        "AlwaysEv": "violated" if any(not end & goal for end in reachable_ends) else "holds",
        "EvAlways": "violated" if any(end - goal for end in reachable_ends) else "holds",
        "LeadsTo": "violated" if avoidable(trigger & reach, goal) else "holds",
    }


def _closure(succ: dict[int, list[int]], start: set[int]) -> set[int]:
    seen, todo = set(start), list(start)
    while todo:
        v = todo.pop()
        for w in succ.get(v, []):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


graphs = st.integers(2, 4).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                       st.sampled_from(["weak", "strong", None])), min_size=1, max_size=6),
    st.sets(st.integers(0, n - 1)), st.sets(st.integers(0, n - 1), min_size=1)))


@settings(max_examples=ORACLE_EXAMPLES, deadline=None)
@given(graphs)
def test_random_graphs_agree_with_the_oracle(tmp_path_factory: Any, case: Any) -> None:
    n, edges, goal, trigger = case
    tmp = tmp_path_factory.mktemp("g")
    spec = graph_spec(tmp, n, edges, sorted(goal), sorted(trigger))
    assert check_graph(spec) == oracle(n, edges, goal, trigger)


# -- input errors and exit statuses ------------------------------------------------------------
def test_malformed_temporal_properties_are_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "bad.py"
    spec.write_text("from ccrverify.lang import IntRange, Spec\nspec = Spec('Bad')\n\n"
                    "@spec.model\ndef build(m):\n    m.var('x', IntRange(0, 1), init=0)\n\n"
                    "@spec.leads_to('L')\ndef l(s):\n    return s.x == 1\n")
    status, _, err = run_cli("check", str(spec))
    assert status == 2 and "bad.py:8: property L must return a pair" in err
    spec.write_text("from ccrverify.lang import IntRange, Spec\nspec = Spec('Bad')\n\n"
                    "@spec.model\ndef build(m):\n    m.var('x', IntRange(0, 1), init=0)\n\n"
                    "@spec.response('R', quiet=['weather'])\ndef r(s):\n"
                    "    return s.x == 0, s.x == 1\n")
    status, _, err = run_cli("check", str(spec))
    assert status == 2 and "bad.py:8: response R: 'weather' is not an action class" in err


def test_an_engine_that_cannot_decide_liveness_says_so() -> None:
    status, _, err = run_cli("explore", CCR, "--property", "Recovers")
    assert status == 2 and "cannot decide leads-to" in err
    status, out, _ = run_cli("explore", str(ROOT / "specs/examples/peterson.py"), "--seed",
                             "0", "--max-examples", "50", "--json")
    starvation = next(p for p in json.loads(out)["properties"] if p["name"] == "StarvationFree")
    assert starvation["verdict"] == "unknown"
    assert "does not decide leads-to" in starvation["reason"]


def test_a_liveness_violation_exits_1_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check {CCR} "
                           "--set restart_fair=false --property Recovers | true; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1"


def test_json_shows_the_lasso_the_figure_and_the_fairness() -> None:
    status, out, _ = run_cli("check", CCR, "--property", "FailoverTime", "--property",
                             "FailoverTimeCaughtUp", "--json")
    data = {p["name"]: p for p in json.loads(out)["properties"]}
    assert status == 1
    assert data["FailoverTime"]["ticks"] == "never"
    assert data["FailoverTime"]["trace"]["loop"] == data["FailoverTime"]["trace_length"] - 1
    assert data["FailoverTimeCaughtUp"]["ticks"] == 2
    status, out, _ = run_cli("check", CCR, "--property", "Recovers", "--json")
    assert any(line.startswith("weak: ") for line in json.loads(out)["properties"][0][
        "fairness"])


def test_a_response_with_no_reachable_trigger_says_so() -> None:
    got = verdicts(CCR, max_faults=0)["FailoverTime"]  # no crash: nothing to fail over
    assert got.verdict.kind == "holds" and got.ticks is None
    assert "no reachable state is a trigger" in got.verdict.reason
