#!/usr/bin/env bash
# Regenerate reports/wsfc-*.md and .html from the named configurations (run from the
# repository root). Every report exits with its check's status: 1 for an incident, 0
# for a protected configuration; the script stops on anything else.
set -u
CCRVERIFY=${CCRVERIFY:-.venv/bin/ccrverify}

report() {  # expected-status config property... -- extra arguments
    local want=$1 config=$2; shift 2
    local args=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=(--property "$1"); shift; done
    [ $# -gt 0 ] && shift
    for ext in md html; do
        "$CCRVERIFY" report "specs/wsfc/$config.toml" "${args[@]}" "$@" \
            --out "reports/wsfc-$config.$ext" > /dev/null
        local got=$?
        if [ "$got" != "$want" ]; then
            echo "reports.sh: $config.$ext exited $got, expected $want" >&2
            exit 4
        fi
    done
}

# The incidents (SEMANTICS.md, "Incidents and configurations").
report 1 simultaneous-failures QuorumKept
report 1 static-quorum QuorumKept
report 1 static-witness QuorumKept
report 1 two-node-no-witness QuorumKept
report 1 split-50-50 QuorumKept
report 1 force-quorum OneRunningPartition NoSplitBrain
report 1 two-node-failover-limit Recovers FailoverTime
# Their protected twins.
report 0 last-man-standing NoSplitBrain OneRunningPartition QuorumKept FailoverTime
report 0 two-node-witness QuorumKept FailoverTime
report 0 split-50-50-tie-breaker QuorumKept FailoverTime
report 0 default OneRunningPartition NoSplitBrain

# The configuration question (QUESTIONS.md): how many nodes can be lost, sequentially
# or simultaneously, with and without a witness.
# The sweeps use the default results store (.ccrverify/), so the .html reuses the .md's points.
SWEEP=(--sweep 'nodes=2..5 max_faults=1..4' --sweep 'nodes=2..5 max_faults=1..4 witness=false')
report 0 lose-nodes-sequential QuorumKept -- "${SWEEP[@]}"
report 1 lose-nodes-simultaneous QuorumKept -- "${SWEEP[@]}"
report 1 lose-nodes-sequential-no-witness QuorumKept -- \
    --sweep 'lower_quorum_priority_node=0..3 max_faults=1..2'
# Failover time against the heartbeat threshold and the cluster size (sequential failures).
for ext in md html; do
    "$CCRVERIFY" report specs/wsfc/last-man-standing.toml --property FailoverTime \
        --property Recovers --sweep 'heartbeat_threshold=1..5 nodes=2..4' \
        --out "reports/wsfc-failover-time.$ext" > /dev/null || { echo "reports.sh: failover-time.$ext" >&2; exit 4; }
done

# The index of them all (Python inline: a .py file in specs/ would be taken for a model).
PYTHON=${PYTHON:-.venv/bin/python}
"$PYTHON" - <<'PY'
# reports/wsfc-incidents.md and .html: one row per named configuration with the verdict,
# exit status, shortest trace and its actions as `ccrverify check --json` gives them,
# linking each configuration's own `ccrverify report` page.

from __future__ import annotations

import html
import json
import shlex
import subprocess
import sys
from pathlib import Path

CCRVERIFY = [sys.executable, "-m", "ccrverify.cli"]
# (configuration, properties, what it shows); the order of SEMANTICS.md's table.
ROWS = [
    ("simultaneous-failures", ("QuorumKept",), "two failures in one detection window"),
    ("last-man-standing", ("QuorumKept",), "protected: sequential failures"),
    ("static-quorum", ("QuorumKept",), "dynamic quorum off"),
    ("static-witness", ("QuorumKept",), "dynamic witness off"),
    ("two-node-no-witness", ("QuorumKept",), "two nodes, the vote holder crashes"),
    ("two-node-witness", ("QuorumKept",), "protected: two nodes and a witness"),
    ("split-50-50", ("QuorumKept",), "50% site split without the tie breaker"),
    ("split-50-50-tie-breaker", ("QuorumKept",), "protected: the tie breaker"),
    ("force-quorum", ("OneRunningPartition", "NoSplitBrain"), "a forced minority"),
    ("default", ("OneRunningPartition", "NoSplitBrain"), "protected: no forced quorum"),
    ("two-node-failover-limit", ("Recovers", "FailoverTime"), "the failover limit runs out"),
    ("lose-nodes-simultaneous", ("QuorumKept",), "three of five nodes in one window"),
    ("lose-nodes-sequential", ("QuorumKept",), "protected: four of five one at a time"),
    ("lose-nodes-sequential-no-witness", ("QuorumKept",), "no witness: the order decides"),
]


def command(config: str, props: tuple[str, ...]) -> list[str]:
    args = ["check", f"specs/wsfc/{config}.toml"]
    for p in props:
        args += ["--property", p]
    return args


def run(config: str, props: tuple[str, ...]) -> tuple[int, dict]:
    done = subprocess.run([*CCRVERIFY, *command(config, props), "--json"],
                          capture_output=True, text=True, check=False)
    return done.returncode, json.loads(done.stdout)


def cells(status: int, data: dict) -> list[tuple[str, str]]:
    """(verdict text, trace actions) per property."""
    out = []
    for p in data["properties"]:
        verdict = p["verdict"] if isinstance(p["verdict"], str) else p["verdict"]["kind"]
        if p.get("ticks") is not None:
            verdict += f" ({p['ticks']} ticks)" if p["ticks"] != "never" else " (never)"
        if p.get("trace_length") is not None:
            verdict += f", {p['trace_length']} steps"
        trace = p.get("trace")
        labels = ", ".join(s["action"] for s in trace["steps"][1:]) if trace else ""
        if trace and trace.get("loop") is not None:
            labels += f" (loops back to step {trace['loop']})"
        out.append((f"{p['name']}: {verdict}", labels))
    return out


def main() -> None:
    rows = []
    for config, props, story in ROWS:
        status, data = run(config, props)
        rows.append((config, props, story, status, cells(status, data)))
    regenerate = "specs/wsfc/reports.sh"
    md = ["# WSFC: incidents and protections",
          "",
          f"Generated by `{regenerate}` (its last step, which also writes every linked "
          "report); do not edit by hand. Each row is "
          "`ccrverify <command>` with `--json`; exit 1 is an incident found, 0 a "
          "protection that holds. The linked pages are `ccrverify report` pages of the same "
          "configuration (their exact command is in their header; `" + regenerate + "` has "
          "them with the shell quoting of `--sweep`). The configuration question is "
          "answered in [specs/wsfc/QUESTIONS.md](../specs/wsfc/QUESTIONS.md); the model "
          "in [specs/wsfc/SEMANTICS.md](../specs/wsfc/SEMANTICS.md).",
          "",
          "| configuration | story | command | exit | verdicts | shortest trace | report |",
          "|---|---|---|---|---|---|---|"]
    for config, props, story, status, found in rows:
        cmd = "ccrverify " + shlex.join(command(config, props))
        verdicts = "<br>".join(v for v, _ in found)
        traces = "<br>".join(t or "-" for _, t in found)
        link = f"[md](wsfc-{config}.md), [html](wsfc-{config}.html)"
        if not Path(f"reports/wsfc-{config}.md").exists():
            link = "-"
        md.append(f"| `{config}` | {story} | `{cmd}` | {status} | {verdicts} | {traces} "
                  f"| {link} |")
    Path("reports/wsfc-incidents.md").write_text("\n".join(md) + "\n")

    h = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'>",
         "<title>WSFC: incidents and protections</title>",
         "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}"
         "code{font-size:90%}</style></head><body>",
         "<h1>WSFC: incidents and protections</h1>",
         f"<p>Generated by <code>{regenerate}</code> (its last step, which also writes every "
         "linked report); do not edit by hand. Each row is the command with "
         "<code>--json</code>; exit 1 is an incident found, 0 a protection that holds.</p>",
         "<table><tr><th>configuration</th><th>story</th><th>command</th><th>exit</th>"
         "<th>verdicts</th><th>shortest trace</th><th>report</th></tr>"]
    for config, props, story, status, found in rows:
        cmd = "ccrverify " + shlex.join(command(config, props))
        link = (f"<a href='wsfc-{config}.html'>html</a>"
                if Path(f"reports/wsfc-{config}.html").exists() else "-")
        h.append("<tr>" + "".join(f"<td>{c}</td>" for c in (
            f"<code>{html.escape(config)}</code>", html.escape(story),
            f"<code>{html.escape(cmd)}</code>", str(status),
            "<br>".join(html.escape(v) for v, _ in found),
            "<br>".join(html.escape(t or "-") for _, t in found), link)) + "</tr>")
    h += ["</table></body></html>"]
    Path("reports/wsfc-incidents.html").write_text("\n".join(h) + "\n")


if __name__ == "__main__":
    main()
PY
