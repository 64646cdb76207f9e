"""Response properties on random runs, through the monitor (`ccrverify.monitor`).

The monitored model turns a response into invariants (``:ticks`` with the
property's bound, ``:dead-end``, ``:cycle``), so the explorer searches and
shrinks it like any invariant: Hypothesis shrinks the monitored run, `polish`
deletes steps, and `Monitor.lift` drops the monitor's own steps and replays the
run on the original model (`trace.replay_lasso`), which checks that it really
is a counterexample. Random runs are finite and few: a measured response (no
bound) is never reported as a figure or as holding, only as "never" when a run
shows a dead end or a cycle that avoids the response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ccrverify.compile import CompiledModel, compile_model
from ccrverify.model import Property
from ccrverify.monitor import CYCLE, DEAD_END, TICKS, monitor
from ccrverify.request import Request
from ccrverify.result import CheckResult, PropertyResult, Verdict, VerdictKind

Explore = Callable[[CompiledModel, Request], CheckResult]


def check_response(compiled: CompiledModel, prop: Property, request: Request,
                   explore: Explore) -> PropertyResult:
    """One response property decided on random runs: violated with a replayed
    counterexample, or unknown with what was searched."""
    parts = ((TICKS,) if prop.within is not None else ()) + (DEAD_END, CYCLE)
    mon = monitor(compiled.model, prop.name, prop.within, parts)
    # Two monitor steps (Arm, Save) per run: the same budget of original steps.
    found = explore(compile_model(mon.model), replace(
        request, properties=mon.names, check_deadlock=False, steps=request.steps + 2))
    results = {mon.part_of(p.name): p for p in found.properties}
    base = PropertyResult(prop.name, prop.description, Verdict.unknown(""), kind=prop.kind)
    for part in (DEAD_END, CYCLE, TICKS):  # "never" first, as the other engines
        got = results.get(part)
        if got is None or got.verdict.kind != VerdictKind.VIOLATED or got.trace is None:
            continue
        trace = mon.lift(compiled, got.trace.init_index, got.trace.choices, part)
        if trace is None:
            continue
        return replace(base, verdict=Verdict.violated(), trace=trace,
                       ticks=None if part == TICKS else "never",
                       found_by=f"random runs with the monitor ({part})",
                       first_found=got.first_found, shrunk_length=got.shrunk_length)
    searched = next((p.verdict.reason for p in found.properties if p.verdict.reason),
                    "no violation in random runs")
    claim = (f"none counted more than {prop.within} ticks or avoided the response"
             if prop.within is not None else "none avoided the response; random runs do not "
             "measure the worst case (the explicit engine or a proof engine does)")
    return replace(base, verdict=Verdict.unknown(f"{searched}; {claim}"))
