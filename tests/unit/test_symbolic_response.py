"""Response properties with a bound on the Z3 engines (a monitor compiled into the
model, ccrverify.monitor): their verdicts and shortest lengths against the
explicit engine's, certificates for the proofs, counterexamples replayed on the
original model, on a tiny hand-written timer and on CCR with small knobs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, run_cli

from ccrverify import api
from ccrverify.compile import compile_model
from ccrverify.monitor import TICKS, monitor
from ccrverify.request import Request
from ccrverify.result import CheckResult
from ccrverify.trace import ReplayError, replay_lasso

TIMER = str(ROOT / "tests/unit/timer_response_spec.py")
CCR = str(ROOT / "tests/unit/ccr_response_spec.py")
# CCR small enough for BMC in seconds: the caught-up failover time is still 2 ticks.
SMALL = {"messages": 1, "max_faults": 1, "handoff": False}


def run(spec: str, engine: str, props: tuple[str, ...], depth: int = 10,
        **knobs: Any) -> CheckResult:
    return api.run(api.target(spec, knobs=knobs), engine,
                   Request(properties=props, check_deadlock=False, depth=depth))


def by_name(result: CheckResult) -> dict[str, Any]:
    return {p.name: p for p in result.properties}


def length(prop: Any) -> int:
    assert prop.trace is not None
    return len(prop.trace)


def replayed(spec: str, prop: Any, **knobs: Any) -> None:
    """The counterexample is one on the original model (replayed there again)."""
    assert prop.trace is not None
    compiled = compile_model(api.target(spec, knobs=knobs).build())
    trace = prop.trace
    replay_lasso(compiled, trace.init_index, trace.choices, trace.loop, prop.name)


# -- the timer: figure 2, or never when stuck -------------------------------------------
@pytest.mark.parametrize("engine", ["bmc", "kind", "pdr", "mined"])
def test_timer_within_k_agrees_with_explicit(engine: str) -> None:
    props = ("Within1", "Within2")
    explicit = by_name(run(TIMER, "explicit", props))
    result = run(TIMER, engine, props)
    got = by_name(result)
    assert explicit["Within1"].verdict.kind == "violated" and explicit["Within1"].ticks == 2
    assert got["Within1"].verdict.kind == "violated"
    replayed(TIMER, got["Within1"])
    if engine in ("bmc", "kind"):  # both shortest
        assert length(got["Within1"]) == length(explicit["Within1"]) == 3
    assert explicit["Within2"].verdict.kind == "holds"
    if engine == "bmc":
        assert got["Within2"].verdict.kind == "bounded"  # BMC never proves
    else:
        assert got["Within2"].verdict.kind == "holds"
        proof = got["Within2"].proof
        assert proof is not None and (proof.invariant or proof.k)
        if engine in ("pdr", "mined"):  # certificates on the monitored model
            text = result.certificate_text or ""
            assert "with the monitor of response Within2" in text
            assert "Within2:ticks holds: no measured run counts more than 2 ticks" in text
        if engine == "pdr":
            assert proof.certificate_check
            assert all(answer == "unsat" for _, answer in proof.certificate_check)


@pytest.mark.parametrize("engine", ["bmc", "pdr"])
def test_timer_never_is_found_as_a_lasso(engine: str) -> None:
    explicit = by_name(run(TIMER, "explicit", ("Within3", "FailoverTime"), stuck=True))
    # Depth 5: the explicit lasso's length (a measure tries every bound up to it).
    got = by_name(run(TIMER, engine, ("Within3", "FailoverTime"), depth=5, stuck=True))
    assert explicit["FailoverTime"].ticks == "never"
    for name in ("Within3", "FailoverTime"):
        assert explicit[name].verdict.kind == got[name].verdict.kind == "violated", name
        replayed(TIMER, got[name], stuck=True)
    # Measured without a bound, the proof engine finds "never" too (a cycle of ticks).
    if engine == "pdr":
        never = got["FailoverTime"]
        assert never.ticks == "never" and never.trace is not None
        assert never.trace.loop is not None


def test_measured_figure_equals_explicit() -> None:
    for tol in (1, 3):
        explicit = by_name(run(TIMER, "explicit", ("FailoverTime",), tol=tol))
        proved = by_name(run(TIMER, "kind", ("FailoverTime",), tol=tol))
        assert proved["FailoverTime"].verdict.kind == "holds"
        assert proved["FailoverTime"].ticks == explicit["FailoverTime"].ticks == tol


def test_monitor_lift_rejects_a_run_that_is_in_time() -> None:
    # A monitored witness that does not count more than K ticks is no counterexample.
    compiled = compile_model(api.target(TIMER).build())
    mon = monitor(compiled.model, "Within2", 2, (TICKS,))
    crash, tick, arm = 0, 1, len(compiled.model.actions)

    with pytest.raises(ReplayError, match="not more than the bound"):
        mon.lift(compiled, 0, [crash, arm, tick, tick], TICKS)
    late = monitor(compiled.model, "Within1", 1, (TICKS,)).lift(
        compiled, 0, [crash, arm, tick, tick], TICKS)
    assert late is not None and late.labels == ["Crash", "Tick", "Tick"]


# -- CCR: FailoverTimeCaughtUp within K, K below and at the explicit figure ---------------
def test_ccr_caught_up_within_k_bmc_agrees_with_explicit() -> None:
    props = ("CaughtUpWithin1", "CaughtUpWithin2")
    explicit = by_name(run(CCR, "explicit", props, **SMALL))
    assert explicit["CaughtUpWithin1"].ticks == 2  # the figure
    got = by_name(run(CCR, "bmc", props, depth=4, **SMALL))
    early = got["CaughtUpWithin1"]
    assert early.verdict.kind == explicit["CaughtUpWithin1"].verdict.kind == "violated"
    assert length(early) == length(explicit["CaughtUpWithin1"]) == 3  # both shortest
    replayed(CCR, early, **SMALL)
    assert explicit["CaughtUpWithin2"].verdict.kind == "holds"
    assert got["CaughtUpWithin2"].verdict.kind == "bounded"


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["pdr"])  # kind: not 2-inductive within --max-k 12
def test_ccr_caught_up_within_k_is_proved(engine: str) -> None:
    props = ("CaughtUpWithin1", "CaughtUpWithin2")
    explicit = by_name(run(CCR, "explicit", props, **SMALL))
    got = by_name(run(CCR, engine, props, **SMALL))
    assert got["CaughtUpWithin1"].verdict.kind == "violated"
    replayed(CCR, got["CaughtUpWithin1"], **SMALL)
    assert got["CaughtUpWithin2"].verdict.kind == explicit["CaughtUpWithin2"].verdict.kind
    assert got["CaughtUpWithin2"].verdict.kind == "holds"


# -- the CLI ---------------------------------------------------------------------------
def test_a_late_response_exits_1_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check {TIMER} "
                           "--engine pdr --property Within1 --no-deadlock | true; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1"


def test_a_malformed_bound_is_one_line_on_a_z3_engine(tmp_path: Path) -> None:
    spec = tmp_path / "bad.py"
    spec.write_text(Path(TIMER).read_text().replace("within=_k", "within=_k - 1"))
    status, out, err = run_cli("check", str(spec), "--engine", "bmc")
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "within=-1 is not a number of ticks" in err
