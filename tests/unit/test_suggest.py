"""Nearest safe configurations: search order, what they block, and that
`check` confirms every suggestion safe."""

from __future__ import annotations

import json

import pytest
from helpers import ROOT, run_cli

from ccrverify.compile import compile_model
from ccrverify.explicit.bfs import check
from ccrverify.lang.spec import Knob
from ccrverify.loader import load
from ccrverify.request import Request
from ccrverify.suggest import SuggestOptions, blocking_step, moves, tiers

SPLIT_BRAIN = ["--set", "renew_grace=3"]  # the renewal grace outlives the witness lease


def test_moves_and_tiers_go_closest_first() -> None:
    assert moves(Knob("g", 1, lo=1), 1, 2) == [(2, 1), (3, 2)]
    assert moves(Knob("g", 1, lo=0, hi=2), 1, 3) == [(0, 1), (2, 1)]
    assert moves(Knob("h", True), True, 3) == [(False, 1)]
    knobs = {"x": Knob("x", 0), "y": Knob("y", 0), "b": Knob("b", False)}
    order = [(count, distance) for count, distance, _ in
             tiers(knobs, {"x": 0, "y": 0, "b": False}, SuggestOptions(max_step=2))]
    assert order == [(1, 1), (1, 2), (2, 2), (2, 3), (2, 4)]
    first = next(tiers(knobs, {"x": 0, "y": 0, "b": False}, SuggestOptions(keep=("y",))))
    assert first[2] == [(("x", -1),), (("x", 1),), (("b", True),)]


def test_suggestions_on_split_brain_are_confirmed_safe_by_check() -> None:
    status, out, _ = run_cli("check", "ccr", *SPLIT_BRAIN, "--property", "NoSplitBrain",
                             "--suggest", "--json")
    assert status == 1
    data = json.loads(out)
    suggestions = data["suggestions"]
    assert suggestions, "a split-brain configuration has safe neighbours"
    assert [s["distance"] for s in suggestions] == sorted(s["distance"] for s in suggestions)
    assert {"witness_lease": 3} in [s["knobs"] for s in suggestions]
    assert {"renew_grace": 2} in [s["knobs"] for s in suggestions]
    for s in suggestions:
        sets = [f"{k}={str(v).lower()}" for k, v in s["knobs"].items()]
        status, out, _ = run_cli("check", "ccr", *SPLIT_BRAIN, *[a for kv in sets for a in
                                 ("--set", kv)], "--property", "NoSplitBrain", "--json")
        assert status == 0, s
        assert all(p["verdict"] == "holds" for p in json.loads(out)["properties"])
        assert 1 <= s["blocks_step"] <= 6  # the counterexample has six steps


# Every safety property (FailoverTime is never in general at these knobs, and each
# liveness check walks the whole graph: kept out of a 300-configuration search).
SAFETY = ["--property", "NoSplitBrain", "--property", "NoLostAckedMail", "--property",
          "DeadlockFree"]


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
def test_all_properties_with_kept_knobs() -> None:
    status, out, _ = run_cli("check", "ccr", *SPLIT_BRAIN, *SAFETY, "--keep", "messages",
                             "--keep", "max_faults", "--suggest")
    assert status == 1
    assert "Nearest configurations where every property holds" in out
    assert "renew_grace=2, dumpster_size=2" in out
    assert "messages=" not in out.split("Nearest")[1] and "max_faults=" not in out.split(
        "Nearest")[1]
    status, out, _ = run_cli("check", "ccr", *SPLIT_BRAIN, *SAFETY, "--set", "renew_grace=2",
                             "--set", "dumpster_size=2")
    assert status == 0, out


def test_blocking_step_names_the_step_a_change_prevents() -> None:
    loaded = load(str(ROOT / "specs" / "ccr.py"))
    result = check(compile_model(loaded.build({"renew_grace": 3})), Request(("NoSplitBrain",)))
    trace = result.property("NoSplitBrain").trace
    assert trace is not None and trace.labels[4] == "Claim(B)"
    longer_lease = blocking_step(loaded.build({"renew_grace": 3, "witness_lease": 3}),
                                 "NoSplitBrain", trace)
    assert (longer_lease.step, longer_lease.action, longer_lease.how) == (
        5, "Claim(B)", "no longer enabled")
    shorter_grace = blocking_step(loaded.build({"renew_grace": 2}), "NoSplitBrain", trace)
    assert shorter_grace.step == 4 and "role[A]=offline" in shorter_grace.how


def test_no_suggestions_when_nothing_is_violated() -> None:
    status, out, _ = run_cli("check", "examples/twophase", "--suggest", "--json")
    assert status == 0 and "suggestions" not in json.loads(out)


def test_keep_must_name_a_knob() -> None:
    status, _, err = run_cli("check", "ccr", "--max-states", "100000", "--suggest",
                             "--keep", "nope")
    assert status == 2 and "--keep nope: unknown knob" in err
