"""Response properties on random runs (explore/response.py): violations found
through the monitor, shrunk, replayed on the original model and agreeing with
the explicit engine; measured responses and anything not violated stay unknown;
leads-to stays unknown, saying why."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from helpers import ROOT, run_cli

from ccrverify import api
from ccrverify.compile import compile_model
from ccrverify.request import Request
from ccrverify.trace import replay_lasso

TIMER = str(ROOT / "tests/unit/timer_response_spec.py")
CCR = str(ROOT / "tests/unit/ccr_response_spec.py")
PETERSON = str(ROOT / "specs/examples/peterson.py")
SMALL = {"messages": 1, "max_faults": 1, "handoff": False}


def run(spec: str, engine: str, props: tuple[str, ...], examples: int = 100,
        **knobs: Any) -> dict[str, Any]:
    result = api.run(api.target(spec, knobs=knobs), engine, Request(
        properties=props, check_deadlock=False, seed=0, max_examples=examples))
    return {p.name: p for p in result.properties}


def replayed(spec: str, prop: Any, **knobs: Any) -> None:
    trace = prop.trace
    assert trace is not None
    compiled = compile_model(api.target(spec, knobs=knobs).build())
    replay_lasso(compiled, trace.init_index, trace.choices, trace.loop, prop.name)


def test_a_late_response_is_found_shrunk_and_agrees_with_explicit() -> None:
    props = ("Within1", "Within2", "FailoverTime")
    explicit = run(TIMER, "explicit", props)
    got = run(TIMER, "explore", props)
    late = got["Within1"]
    assert late.verdict.kind == explicit["Within1"].verdict.kind == "violated"
    replayed(TIMER, late)
    assert late.trace is not None and late.trace.loop is None
    assert late.trace.labels == ["Crash", "Tick", "Tick"]  # shrunk to the explicit length
    assert len(late.trace) == len(explicit["Within1"].trace)
    assert late.shrunk_length is not None
    # In time, and measured: never holds, never a figure.
    assert explicit["Within2"].verdict.kind == "holds"
    for name in ("Within2", "FailoverTime"):
        assert got[name].verdict.kind == "unknown" and got[name].ticks is None
    assert "none counted more than 2 ticks" in got["Within2"].verdict.reason
    assert "do not measure the worst case" in got["FailoverTime"].verdict.reason


def test_never_is_a_replayed_lasso() -> None:
    got = run(TIMER, "explore", ("FailoverTime",), stuck=True)["FailoverTime"]
    explicit = run(TIMER, "explicit", ("FailoverTime",), stuck=True)["FailoverTime"]
    assert got.verdict.kind == explicit.verdict.kind == "violated"
    assert got.ticks == explicit.ticks == "never"
    assert got.trace is not None and got.trace.loop is not None
    replayed(TIMER, got, stuck=True)


def test_ccr_caught_up_within_1_is_found() -> None:
    explicit = run(CCR, "explicit", ("CaughtUpWithin1",), **SMALL)["CaughtUpWithin1"]
    got = run(CCR, "explore", ("CaughtUpWithin1",), **SMALL)["CaughtUpWithin1"]
    assert got.verdict.kind == explicit.verdict.kind == "violated"
    replayed(CCR, got, **SMALL)
    assert got.trace is not None and explicit.trace is not None
    assert len(got.trace) >= len(explicit.trace)


def test_leads_to_stays_unknown_and_says_why() -> None:
    explicit = run(PETERSON, "explicit", ("StarvationFree",), fair=False)
    assert explicit["StarvationFree"].verdict.kind == "violated"
    result = api.run(api.target(PETERSON, knobs={"fair": False}), "explore",
                     Request(seed=0, max_examples=20))
    starvation = result.property("StarvationFree")
    assert starvation.verdict.kind == "unknown"
    assert "explore does not decide leads-to" in starvation.verdict.reason


def test_a_late_response_exits_1_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli explore {TIMER} "
                           "--seed 0 --max-examples 50 --property Within1 | true; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1"


def test_naming_a_leads_to_property_is_one_line() -> None:
    status, out, err = run_cli("explore", PETERSON, "--property", "StarvationFree")
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "cannot decide leads-to" in err and "bmc" in err
