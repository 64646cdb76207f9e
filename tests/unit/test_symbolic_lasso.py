"""Leads-to and the other liveness kinds on the bmc engine: a search for fair lassos
(ccrverify.symbolic.lasso), violated with a replayed lasso or bounded(K), never
holds; against the explicit engine on Peterson, CCR and hand-made graphs (the
fairness patterns behind other tools' false "no violation" verdicts)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from helpers import ROOT, graph_spec, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from ccrverify import api
from ccrverify.compile import compile_model
from ccrverify.request import Request
from ccrverify.trace import replay_lasso

PETERSON = str(ROOT / "specs/examples/peterson.py")
CCR = str(ROOT / "specs/ccr.py")
SMALL = {"messages": 1, "max_faults": 1, "handoff": False}
GRAPH_EXAMPLES = int(os.environ.get("CCRVERIFY_LASSO_EXAMPLES", "12"))
KINDS = ("Ev", "AlwaysEv", "EvAlways", "LeadsTo")


def run(spec: str, engine: str, props: tuple[str, ...] | None, depth: int = 12,
        **knobs: Any) -> dict[str, Any]:
    result = api.run(api.target(spec, knobs=knobs), engine,
                     Request(properties=props, check_deadlock=False, depth=depth))
    return {p.name: p for p in result.properties}


def replayed(spec: str, prop: Any, **knobs: Any) -> None:
    """The lasso is a fair counterexample on the model (replayed there once more)."""
    trace = prop.trace
    assert trace is not None and trace.loop is not None
    compiled = compile_model(api.target(spec, knobs=knobs).build())
    replay_lasso(compiled, trace.init_index, trace.choices, trace.loop, prop.name)


def test_peterson_starvation_agrees_with_explicit() -> None:
    unfair = run(PETERSON, "bmc", ("StarvationFree",), fair=False)["StarvationFree"]
    explicit = run(PETERSON, "explicit", ("StarvationFree",), fair=False)["StarvationFree"]
    assert unfair.verdict.kind == explicit.verdict.kind == "violated"
    replayed(PETERSON, unfair, fair=False)
    assert unfair.trace.loop == len(unfair.trace)  # it stops: nothing must happen
    assert len(unfair.trace) <= len(explicit.trace)  # BMC's lasso is shortest
    fair = run(PETERSON, "bmc", ("StarvationFree",), depth=8)["StarvationFree"]
    assert run(PETERSON, "explicit", ("StarvationFree",))["StarvationFree"].verdict.kind \
        == "holds"
    assert fair.verdict.kind == "bounded" and fair.verdict.bound == 8  # never holds
    assert any(line.startswith("weak: ") for line in fair.fairness)


def test_ccr_recovers_without_fair_restart_agrees_with_explicit() -> None:
    knobs = dict(SMALL, restart_fair=False)
    got = run(CCR, "bmc", ("Recovers",), depth=7, **knobs)["Recovers"]
    explicit = run(CCR, "explicit", ("Recovers",), **knobs)["Recovers"]
    assert got.verdict.kind == explicit.verdict.kind == "violated"
    replayed(CCR, got, **knobs)
    assert len(got.trace) <= len(explicit.trace)
    for step in got.trace.steps[got.trace.loop:]:  # nobody serves on the cycle
        assert not any(step.state["up"][n] and step.state["role"][n] == "active"
                       for n in "AB")
    assert not any("Restart" in line for line in got.fairness)


# -- hand-made graphs: the same generator as test_liveness's oracle ---------------------------
def agree(spec: str, depth: int) -> dict[str, str]:
    """BMC's verdicts, checked against the explicit engine's: violated exactly when
    explicit says violated (`depth` is beyond every lasso of the graph), else bounded."""
    explicit = run(spec, "explicit", KINDS)
    got = run(spec, "bmc", KINDS, depth=depth)
    out = {}
    for name in KINDS:
        want, have = explicit[name].verdict.kind, got[name].verdict.kind
        assert have == ("violated" if want == "violated" else "bounded"), (name, want, have)
        if have == "violated":
            replayed(spec, got[name])
        out[name] = have.value
    return out


def test_weak_versus_strong_fairness_on_a_lasso(tmp_path: Path) -> None:
    for fair, expected in (("weak", "violated"), ("strong", "bounded")):
        spec = graph_spec(tmp_path, 3, [(0, 1, "weak"), (1, 0, "weak"), (1, 2, fair)], [2],
                          [0], name=f"ws{fair}")
        assert agree(spec, 6)["Ev"] == expected


def test_fair_on_the_component_but_not_on_a_cycle(tmp_path: Path) -> None:
    edges: list[tuple[int, int, str | None]] = [
        (0, 1, "weak"), (1, 0, "weak"), (1, 2, "weak"), (2, 1, "weak"), (1, 3, "strong")]
    assert agree(graph_spec(tmp_path, 4, edges, [3], [1], name="comp"), 8)["Ev"] == "bounded"
    edges[-1] = (1, 3, None)
    assert agree(graph_spec(tmp_path, 4, edges, [3], [1], name="comp2"), 8)["Ev"] == "violated"


def test_stuttering_only_where_no_fair_action_is_enabled(tmp_path: Path) -> None:
    weak = graph_spec(tmp_path, 2, [(0, 1, "weak")], [1], [0], name="stw")
    unfair = graph_spec(tmp_path, 2, [(0, 1, None)], [1], [0], name="stu")
    assert agree(weak, 4)["Ev"] == "bounded"
    assert agree(unfair, 4)["Ev"] == "violated"


graphs = st.integers(2, 4).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                       st.sampled_from(["weak", "strong", None])), min_size=1, max_size=5),
    st.sets(st.integers(0, n - 1)), st.sets(st.integers(0, n - 1), min_size=1)))


@settings(max_examples=GRAPH_EXAMPLES, deadline=None, derandomize=True)
@given(graphs)
def test_random_graphs_agree_with_explicit(tmp_path_factory: Any, case: Any) -> None:
    n, edges, goal, trigger = case
    spec = graph_spec(tmp_path_factory.mktemp("g"), n, edges, sorted(goal), sorted(trigger))
    # A fair lasso needs at most n - 1 prefix steps and a cycle through every edge.
    agree(spec, n + 2 * len(edges))


# -- the CLI ---------------------------------------------------------------------------
def test_a_lasso_exits_1_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check {PETERSON} "
                           "--engine bmc --set fair=false --property StarvationFree | true; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1"


def test_bounded_liveness_exits_3_and_says_bounded() -> None:
    status, out, _ = run_cli("check", PETERSON, "--engine", "bmc", "--depth", "4",
                             "--property", "StarvationFree")
    assert status == 3 and "bounded(4)" in out and "no fair lasso within 4 steps" in out


def test_a_malformed_leads_to_is_one_line_on_bmc(tmp_path: Path) -> None:
    spec = tmp_path / "bad.py"
    spec.write_text(Path(PETERSON).read_text().replace("return wants, s.pc[1] == \"cs\"",
                                                       "return wants"))
    status, out, err = run_cli("check", str(spec), "--engine", "bmc")
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "bad.py:" in err
