"""Text rendering of nearest safe configurations (``check --suggest``)."""

from __future__ import annotations

from tabulate import tabulate

from ccrverify.render.text import format_value
from ccrverify.suggest import SuggestResult


def render_suggestions(found: SuggestResult) -> str:
    if not found.suggestions:
        return f"No safe configuration nearby ({found.searched})."
    rows = []
    timed = any(s.ticks is not None for s in found.suggestions)
    for s in found.suggestions:
        change = ", ".join(f"{k}={format_value(v)}" for k, v in s.changes)
        blocks = "\n".join(f"{b.property}: step {b.step} {b.action}: {b.how}" for b in s.blocks)
        rows.append([change, s.distance, f"{s.distinct_states:,}"]
                    + ([s.ticks if s.ticks is not None else "-"] if timed else [])
                    + [blocks or "-"])
    table = tabulate(rows, headers=["change", "distance", "states"]
                     + (["response ticks"] if timed else []) + ["what it blocks"],
                     disable_numparse=True)
    return (f"Nearest configurations where every property holds ({found.searched}):\n"
            f"{table}")
