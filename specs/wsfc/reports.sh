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
PYTHON=${PYTHON:-.venv/bin/python}
"$PYTHON" specs/wsfc/incidents_index.py
