"""Text renderings of results and traces: terminal tables and Markdown.

Traces read diff-first: the whole initial state, then per step the action,
the elapsed time (when the model names a clock action) and only the entries
that changed, in a compact notation: ``log[A]=⟨1,2⟩``, ``role[B]=active``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

from tabulate import tabulate

from ccrverify.model import PropertyKind
from ccrverify.result import HOLDS, UNKNOWN, VIOLATED, CheckResult, Coverage, PropertyResult
from ccrverify.trace import Trace


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "⟨" + ",".join(format_value(v) for v in value) + "⟩"
    return str(value)


def flat_entries(state: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(name, value)`` per scalar or sequence, maps spread as ``name[key]``."""
    for name, value in state.items():
        if isinstance(value, dict):
            for key, entry in value.items():
                yield f"{name}[{key}]", entry
        else:
            yield name, value


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    old = dict(flat_entries(before))
    return [f"{name}={format_value(v)}" for name, v in flat_entries(after) if old.get(name) != v]


def trace_rows(trace: Trace, clock: str = "", full: bool = False, wrap: bool = True
               ) -> list[list[Any]]:
    rows: list[list[Any]] = []
    ticks = 0
    previous: dict[str, Any] | None = None
    for number, step in enumerate(trace.steps):
        if step.label is not None and clock and step.label == clock:
            ticks += 1
        if previous is None or full:
            shown = [f"{n}={format_value(v)}" for n, v in flat_entries(step.state)]
        else:
            shown = changes(previous, step.state)
        row: list[Any] = [number, step.label or "(initial state)"]
        if clock:
            row.append(ticks)
        text = ", ".join(shown)
        row.append((_wrap(text) if wrap else text) or "(no change)")
        rows.append(row)
        previous = step.state
    if trace.loop is not None:
        end = ("↺ back to step " + str(trace.loop) if trace.loop < len(trace)
               else "↺ stays here forever")
        rows.append(["", end] + ([ticks] if clock else []) + [
            "the behaviour repeats from there forever" if trace.loop < len(trace)
            else "(stuttering: nothing that must happen is enabled)"])
    return rows


def _wrap(text: str, width: int = 100) -> str:
    """Break a long change list at entry boundaries (tabulate keeps multi-line cells)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))


def trace_table(trace: Trace, clock: str = "", fmt: str = "table", full: bool = False) -> str:
    headers = ["#", "action"] + (["t"] if clock else []) + ["changes"]
    tablefmt = "github" if fmt == "markdown" else "simple"
    rows = trace_rows(trace, clock, full, wrap=fmt != "markdown")
    if fmt == "markdown":
        rows = [[str(c).replace("|", "\\|") for c in r] for r in rows]
    return str(tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True))


def summary(result: CheckResult, source: str = "") -> str:
    s = result.stats
    knobs = " ".join(f"{k}={format_value(v)}" for k, v in sorted(result.knobs.items()))
    lines = [f"model {result.model}" + (f" ({source})" if source else "") +
             (f"  knobs: {knobs}" if knobs else "")]
    status = "complete" if result.complete else "INCOMPLETE"
    if result.method is not None:  # a symbolic engine counts no states
        lines.append(f"{result.engine}: method {result.method}, {s.seconds:.2f} s"
                     + ("" if result.complete else ", INCOMPLETE"))
    else:
        lines.append(
            f"{result.engine}: {s.distinct_states:,} distinct states, {s.transitions:,} "
            f"transitions, depth {s.depth}, {s.seconds:.2f} s ({s.states_per_second:,.0f} "
            f"states/s), peak memory {s.peak_memory_bytes / 2**20:.0f} MiB, {status}")
    for note in result.notes:
        lines.append(note)
    return "\n".join(lines)


def verdict_text(p: PropertyResult) -> str:
    """A verdict as every page shows it: with an unknown's reason, a response's
    figure in ticks (or never), and why a response holds with no figure."""
    verdict = str(p.verdict) + (f" ({p.verdict.reason})" if p.verdict.kind == UNKNOWN
                                or (p.kind == PropertyKind.RESPONSE and p.ticks is None
                                    and p.verdict.reason) else "")
    if p.ticks is not None:
        verdict += f" ({p.ticks} tick{'' if p.ticks == 1 else 's'})" if p.ticks != "never" \
            else " (never)"
    return verdict


def verdict_table(result: CheckResult, fmt: str = "table") -> str:
    rows = [[p.name, verdict_text(p), "-" if p.trace is None else len(p.trace), p.description]
            for p in result.properties]
    return str(tabulate(rows, headers=["property", "verdict", "trace", "description"],
                        tablefmt="github" if fmt == "markdown" else "simple",
                        disable_numparse=True))


def render_result(result: CheckResult, source: str = "", clock: str = "",
                  trace_format: str = "table", full: bool = False, traces: bool = True) -> str:
    """The whole answer of any engine: what ran, the verdicts, how each was reached
    (a proof's invariant, a bound), every counterexample (unless `traces` is off),
    and what random runs covered."""
    parts = [summary(result, source), "", verdict_table(result)]
    if result.method is not None:
        parts += _proof_lines(result)
    for p in result.properties if traces else ():
        found = p.traces
        for n, trace in enumerate(found, 1):
            at = (" with " + " ".join(f"{k}={v}" for k, v in p.knob_values)) \
                if p.knob_values else ""
            which = f" {n} of {len(found)}" if len(found) > 1 else ""
            shape = "a lasso of " if trace.loop is not None else ""
            parts += ["", f"Counterexample{which} to {p.name}{at} ({shape}{len(trace)} actions, "
                          f"ends in {trace.ends_in}):",
                      trace_table(trace, clock, trace_format, full)]
    fairness = next((p.fairness for p in result.properties if p.fairness), ())
    if fairness:
        parts += ["", "Liveness under fairness: " + "; ".join(fairness)]
    if result.certificate:
        parts += ["", f"certificate written to {result.certificate} "
                      f"(re-check: z3 {result.certificate})"]
    if result.coverage is not None:
        parts += ["", coverage_text(result.coverage)]
    return "\n".join(parts)


def _proof_lines(result: CheckResult) -> list[str]:
    lines = []
    for p in result.properties:
        if p.verdict.reason and p.verdict.kind not in (VIOLATED, HOLDS):
            lines.append(f"{p.name}: {p.verdict.reason}")
        proof = p.proof
        if proof is None:
            continue
        if proof.k is not None:
            lines.append(f"{p.name}: proved by {proof.k}-induction")
        for n, region in enumerate(proof.regions, 1):
            lines.append(f"{p.name}: proof {n} covers {region}")
        if p.verdict.kind == HOLDS and proof.invariant:
            lines += ["", f"Inductive invariant for {p.name} ({len(proof.invariant)} lemmas, "
                          "certificate checked):"]
            lines += [f"  {lemma}" for lemma in proof.invariant]
    return lines


def coverage_text(coverage: Coverage) -> str:
    """What random runs covered: totals, then firings per action kind."""
    seed = coverage.seed
    lines = [
        f"coverage: {coverage.runs:,} runs, {coverage.steps:,} steps "
        f"({coverage.steps_per_second:,.0f} steps/s), "
        f"{coverage.distinct_states:,} distinct states, "
        f"longest run {coverage.longest_run} steps, "
        f"swarm {'on' if coverage.swarm else 'off'}"
        + ("" if seed is None else f", seed {seed}"),
    ]
    total = max(1, coverage.steps)
    rows = [[name, f"{count:,}", f"{100 * count / total:.1f}%",
             "NEVER FIRED" if count == 0 else ""]
            for name, count in coverage.action_counts]
    lines.append(tabulate(rows, headers=["action", "fired", "share", ""],
                          disable_numparse=True))
    if coverage.never_fired:
        lines.append("never fired: " + ", ".join(coverage.never_fired) +
                     " (the runs say nothing about these actions)")
    elif coverage.never_fired_instances:
        lines.append("instances never fired: " + ", ".join(coverage.never_fired_instances))
    return "\n".join(lines)
