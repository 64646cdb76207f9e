"""Text rendering of an exploration's coverage (returns strings; the CLI prints)."""

from __future__ import annotations

from typing import Any

from tabulate import tabulate


def coverage_text(coverage: dict[str, Any]) -> str:
    """The coverage block under the verdicts: totals, then firings per action kind."""
    seed = coverage.get("seed")
    lines = [
        f"coverage: {coverage['runs']:,} runs, {coverage['steps']:,} steps "
        f"({coverage['steps_per_second']:,.0f} steps/s), "
        f"{coverage['distinct_states']:,} distinct states, "
        f"longest run {coverage['longest_run']} steps, "
        f"swarm {'on' if coverage['swarm'] else 'off'}"
        + ("" if seed is None else f", seed {seed}"),
    ]
    total = max(1, coverage["steps"])
    rows = [[name, f"{count:,}", f"{100 * count / total:.1f}%",
             "NEVER FIRED" if count == 0 else ""]
            for name, count in coverage["action_counts"].items()]
    lines.append(tabulate(rows, headers=["action", "fired", "share", ""],
                          disable_numparse=True))
    if coverage["never_fired"]:
        lines.append("never fired: " + ", ".join(coverage["never_fired"]) +
                     " (the runs say nothing about these actions)")
    elif coverage["never_fired_instances"]:
        lines.append("instances never fired: " + ", ".join(coverage["never_fired_instances"]))
    return "\n".join(lines)
