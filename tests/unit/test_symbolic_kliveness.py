"""Leads-to and the other liveness kinds proved by k-liveness on the Z3 engines that
prove (ccrverify.kliveness, symbolic/liveness.py): holds only with a checked
certificate of the round counter's invariant, violated only with a replayed fair
lasso, else unknown; every verdict against the explicit engine's. Hand-made graphs
cover weak, strong and no fairness and stuttering."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, graph_spec, run_cli

from ccrverify import api
from ccrverify.compile import compile_model
from ccrverify.explicit.engine import EXPLICIT
from ccrverify.kliveness import rounds
from ccrverify.request import Request
from ccrverify.symbolic.certificate import check_text
from ccrverify.trace import replay_lasso

PETERSON = str(ROOT / "specs/examples/peterson.py")
TWOPHASE = str(ROOT / "specs/examples/twophase.py")
KINDS = ("Ev", "AlwaysEv", "EvAlways", "LeadsTo")


def run(spec: str, engine: str, props: tuple[str, ...], depth: int = 12,
        **knobs: Any) -> dict[str, Any]:
    result = api.run(api.target(spec, knobs=knobs), engine,
                     Request(properties=props, check_deadlock=False, depth=depth))
    return {p.name: p for p in result.properties} | {"": result}


def replayed(spec: str, prop: Any, **knobs: Any) -> None:
    """The lasso is a fair counterexample on the model (replayed there once more)."""
    trace = prop.trace
    assert trace is not None and trace.loop is not None
    compiled = compile_model(api.target(spec, knobs=knobs).build())
    replay_lasso(compiled, trace.init_index, trace.choices, trace.loop, prop.name)


def test_peterson_is_starvation_free_under_weak_fairness_only() -> None:
    fair = run(PETERSON, "pdr", ("StarvationFree",))
    got = fair["StarvationFree"]
    assert run(PETERSON, "explicit", ("StarvationFree",))["StarvationFree"].verdict.kind \
        == "holds"
    assert got.verdict.kind == "holds" and "k-liveness" in got.verdict.reason
    assert got.proof is not None and got.proof.invariant  # the monitored model's lemmas
    assert any(line.startswith("weak: ") for line in got.fairness)
    assert check_text(fair[""].certificate_text).valid
    unfair = run(PETERSON, "pdr", ("StarvationFree",), fair=False)["StarvationFree"]
    explicit = run(PETERSON, "explicit", ("StarvationFree",), fair=False)["StarvationFree"]
    assert unfair.verdict.kind == explicit.verdict.kind == "violated"
    replayed(PETERSON, unfair, fair=False)
    assert unfair.trace.loop == len(unfair.trace)  # it stops: nothing must happen


@pytest.fixture(scope="module")
def twophase_proof() -> Any:
    return run(TWOPHASE, "pdr", ("AllDecide",), rm=2)


def test_twophase_all_decide_is_proved_with_a_certificate(twophase_proof: Any) -> None:
    assert run(TWOPHASE, "explicit", ("AllDecide",), rm=2)["AllDecide"].verdict.kind \
        == "holds"
    got = twophase_proof["AllDecide"]
    assert got.verdict.kind == "holds"
    text = twophase_proof[""].certificate_text
    assert "k-liveness monitor of eventually property AllDecide" in text
    assert check_text(text).valid


def test_a_tampered_certificate_fails(twophase_proof: Any) -> None:
    """The invariant replaced by the claim alone (counter <= k): not inductive."""
    lines = twophase_proof[""].certificate_text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("(define-fun inv_"))
    end = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("("))
    p_at = next(i for i, line in enumerate(lines) if line.startswith("(define-fun prop_"))
    p_end = next(i for i in range(p_at + 1, len(lines)) if lines[i].startswith("("))
    lines[at + 1:end] = lines[p_at + 1:p_end]
    checked = check_text("\n".join(lines) + "\n")
    assert not checked.valid and checked.failed
    # A stronger claim than the one proved: at most 0 rounds is false (k = 0 fails here).
    text = twophase_proof[""].certificate_text
    assert text.count("(>= 1 live.rounds)") == 1
    assert not check_text(text.replace("(>= 1 live.rounds)", "(>= 0 live.rounds)")).valid


def test_the_round_counter_is_violated_exactly_below_the_k_proved() -> None:
    """Against the explicit engine on the monitored model: k-liveness is complete on a
    finite model, so the invariant fails for small k and holds from some k on."""
    compiled = compile_model(api.target(TWOPHASE, knobs={"rm": 2}).build())
    verdicts = []
    for k in range(4):
        mon = rounds(compiled.model, "AllDecide", k)
        result = EXPLICIT.check(compile_model(mon.model),
                                Request(properties=(mon.name,), check_deadlock=False))
        verdicts.append(result.properties[0].verdict.kind.value)
    assert verdicts == ["violated", "holds", "holds", "holds"]


@pytest.mark.slow
def test_twophase_three_resource_managers() -> None:
    for prop in ("AllDecide", "DecisionsStay"):
        assert run(TWOPHASE, "pdr", (prop,), rm=3)[prop].verdict.kind == "holds"


def test_ccr_recovers_at_small_knobs_on_mined() -> None:
    """12-15 s here: a proof at k = 2 with fair restarts, a lasso without them (Spacer
    times out at k = 2: pdr would leave it unknown)."""
    ccr = str(ROOT / "specs/ccr.py")
    knobs = {"messages": 1, "max_faults": 1, "handoff": False}
    for fair, verdict in ((True, "holds"), (False, "violated")):
        got = run(ccr, "mined", ("Recovers",), restart_fair=fair, **knobs)["Recovers"]
        explicit = run(ccr, "explicit", ("Recovers",), restart_fair=fair, **knobs)["Recovers"]
        assert got.verdict.kind == explicit.verdict.kind == verdict
        if verdict == "violated":
            replayed(ccr, got, restart_fair=fair, **knobs)


# -- hand-made graphs ---------------------------------------------------------------------
def agree(spec: str, engine: str, depth: int, kinds: tuple[str, ...] = KINDS
          ) -> dict[str, str]:
    """The engine's verdicts, against the explicit engine's: the same where it decides,
    never the opposite; a violation is a replayed fair lasso."""
    explicit = run(spec, "explicit", kinds)
    got = run(spec, engine, kinds, depth=depth)
    out = {}
    for name in kinds:
        want, have = explicit[name].verdict.kind.value, got[name].verdict.kind.value
        assert have in (want, "unknown"), (name, want, have, got[name].verdict.reason)
        if have == "violated":
            replayed(spec, got[name])
        out[name] = have
    return out


def test_strong_fairness_is_never_proved_from_weak(tmp_path: Path) -> None:
    """0 <-> 1 weakly fair, 1 -> 2 strongly fair: the goal 2 comes under strong fairness
    only. Counted as weak it cannot be proved, and no lasso is fair: unknown, with the
    reason; with 1 -> 2 weak too the cycle 0 <-> 1 is a counterexample."""
    edges: list[tuple[int, int, str | None]] = [(0, 1, "weak"), (1, 0, "weak"),
                                                 (1, 2, "strong")]
    strong = graph_spec(tmp_path, 3, edges, [2], [0], name="strong")
    assert agree(strong, "kind", 6, ("Ev",)) == {"Ev": "unknown"}
    reason = run(strong, "kind", ("LeadsTo",), depth=6)["LeadsTo"].verdict.reason
    assert "strong fairness of E2 counted as weak" in reason and "no fair lasso" in reason
    weak = graph_spec(tmp_path, 3, edges[:2] + [(1, 2, "weak")], [2], [0], name="weak")
    assert agree(weak, "pdr", 6, ("Ev",)) == {"Ev": "violated"}
    # Strong fairness that is not needed: proved all the same.
    needless = graph_spec(tmp_path, 2, [(0, 1, "strong")], [1], [0], name="needless")
    assert agree(needless, "pdr", 4) == dict.fromkeys(KINDS, "holds")


def test_stuttering_only_where_no_fair_action_is_enabled(tmp_path: Path) -> None:
    weak = graph_spec(tmp_path, 2, [(0, 1, "weak")], [1], [0], name="stw")
    unfair = graph_spec(tmp_path, 2, [(0, 1, None)], [1], [0], name="stu")
    assert agree(weak, "kind", 4)["Ev"] == "holds"
    assert agree(unfair, "kind", 4)["Ev"] == "violated"


def test_a_long_way_to_the_goal_needs_several_rounds(tmp_path: Path) -> None:
    """0 -> 1 -> ... -> 5, each step weakly fair: every step completes a round (the
    other groups are disabled), so the counter reaches 4 before the goal: k = 4."""
    edges: list[tuple[int, int, str | None]] = [(i, i + 1, "weak") for i in range(5)]
    spec = graph_spec(tmp_path, 6, edges, [5], [0], name="long")
    assert agree(spec, "pdr", 8, ("Ev", "LeadsTo")) == {"Ev": "holds", "LeadsTo": "holds"}
    assert "at most 4 fair rounds" in run(spec, "pdr", ("Ev",))["Ev"].verdict.reason
    # A weakly fair way back from 4 to 0: 4 -> 5 is disabled on the rest of that cycle,
    # so the cycle is fair and the goal never comes.
    spec = graph_spec(tmp_path, 6, edges + [(4, 0, "weak")], [5], [0], name="long2")
    assert agree(spec, "pdr", 12, ("Ev",)) == {"Ev": "violated"}


@pytest.mark.parametrize("engine", ["pdr", "kind", "mined"])
def test_random_graphs_agree_with_explicit(tmp_path: Path, engine: str) -> None:
    rng = random.Random(f"kliveness-{engine}")
    decided = 0
    for case in range(4):
        n = rng.randint(2, 4)
        edges = [(rng.randrange(n), rng.randrange(n), rng.choice(["weak", "strong", None]))
                 for _ in range(rng.randint(1, 5))]
        goal = sorted({rng.randrange(n) for _ in range(rng.randint(1, n))})
        trigger = sorted({rng.randrange(n) for _ in range(rng.randint(0, n))})
        spec = graph_spec(tmp_path, n, edges, goal, trigger, name=f"r{case}")
        decided += sum(v != "unknown" for v in agree(spec, engine, n + 2 * len(edges))
                       .values())
    assert decided >= 8  # most are decided: the comparison is not vacuous


def test_the_cli_proves_leads_to_with_pdr_and_writes_the_certificate(tmp_path: Path) -> None:
    spec = graph_spec(tmp_path, 3, [(0, 1, "weak"), (1, 2, "weak")], [2], [1], name="cli")
    cert = tmp_path / "cert.smt2"
    status, out, err = run_cli("prove", spec, "--engine", "pdr", "--property", "LeadsTo",
                               "--certificate", str(cert))
    assert status == 0, err
    assert "LeadsTo" in out and "holds" in out
    assert check_text(cert.read_text()).valid


CLIMB = """from ccrverify.lang import IntRange, Spec
spec = Spec("Climb")
spec.knob("limit", 3, "how far x climbs", lo=1)


@spec.model
def build(m):
    m.var("x", IntRange(0, 6), init=0)

    @m.action(fair="weak")
    def up(s):
        s.require(s.x < s.k.limit)
        s.x = s.x + 1

    @m.action(cls="fault")
    def down(s):
        s.require(s.x > 0)
        s.x = s.x - 1


@spec.eventually("Leaves0")
def leaves(s):
    return s.x >= 1


@spec.always_eventually("AtLimit")
def at_limit(s):
    return s.x == s.k.limit
"""


def test_one_proof_for_every_symbolic_knob_value(tmp_path: Path) -> None:
    """Leaves0 holds for every limit (one proof over limit = 1..5); AtLimit fails where
    the unfair Down can undo Up for ever below the limit (limit >= 2), and the lasso
    names its knob value and replays there."""
    spec = tmp_path / "climb.py"
    spec.write_text(CLIMB)
    result = api.run(api.target(str(spec)), "pdr",
                     Request(properties=("Leaves0", "AtLimit"), check_deadlock=False),
                     api.parse_ranges(["limit=1..5"], "--symbolic"))
    leaves, at_limit = result.properties
    assert leaves.verdict.kind == "holds"
    assert at_limit.verdict.kind == "violated"
    limit = dict(at_limit.knob_values)["limit"]
    assert limit >= 2
    explicit = run(str(spec), "explicit", ("Leaves0", "AtLimit"), limit=limit)
    assert explicit["AtLimit"].verdict.kind == "violated"
    replayed(str(spec), at_limit, limit=limit)
    one = run(str(spec), "explicit", ("AtLimit",), limit=1)["AtLimit"]
    assert one.verdict.kind == "holds"  # at limit 1 Down leads back to Up, then 1 again


def test_an_undefined_read_in_the_property_is_one_line_with_its_trace(tmp_path: Path) -> None:
    """Met on the monitored model, reported on the original (exit 2), as explicit does."""
    bad = ROOT / "tests/badinput/map_key_outside_index.py"
    text = bad.read_text()
    spec = tmp_path / "badlive.py"
    spec.write_text(text[:text.index('@spec.invariant("VZero")')]
                    + '@spec.leads_to("VLeads")\ndef v_leads(s):\n'
                      '    return s.x == 0, s.v[s.x] == 1\n')
    for engine in ("pdr", "kind"):
        status, out, err = run_cli("prove", str(spec), "--engine", engine, "--property",
                                   "VLeads")
        assert status == 2 and out == "", engine
        first = err.splitlines()[0]
        assert "badlive.py:20: in property VLeads: v[2] is read" in first, engine
        assert "reached by 2 actions" in err and "Stutter" not in err


def test_exit_statuses_survive_a_pipe() -> None:
    """A proof (0) and a lasso (1) through `| true`, as a script would read them."""
    import subprocess
    import sys

    for fair, want in (("true", "0"), ("false", "1")):
        done = subprocess.run(
            ["bash", "-c", f"{sys.executable} -m ccrverify.cli prove {PETERSON} --engine mined "
             f"--property StarvationFree --set fair={fair} | true; echo ${{PIPESTATUS[0]}}"],
            capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert done.stdout.strip() == want, done.stderr


def test_a_bad_knob_for_a_liveness_proof_is_one_line() -> None:
    status, out, err = run_cli("prove", PETERSON, "--engine", "pdr", "--property",
                               "StarvationFree", "--set", "fair=sometimes")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "fair" in err and "Traceback" not in err
