#!/usr/bin/env bash
# Regenerates the Patroni reports (run from the repository root):
#   reports/patroni-incidents.md / .html  every incident and its protection: one
#                                         `ccrverify report` page per configuration
#                                         (kept in reports/patroni-incidents/), joined
#                                         under the index specs/patroni/incidents-index.md
#   reports/patroni-timers.md / .html     the configuration question: which timer
#                                         combinations ttl x loop_wait x retry_timeout
#                                         keep one primary (sweeps; the answer and its
#                                         comparison with the documented rule are in
#                                         specs/patroni/QUESTIONS.md)
# Every page below the index is the tool's own output, with the command that wrote it in
# its header. Sweeps go through the results store (.ccrverify/), so a rerun only re-renders.
set -euo pipefail
CCRVERIFY=${CCRVERIFY:-.venv/bin/ccrverify}
PROPS=(--property NoSplitBrain --property NoLostSyncWrite --property Recovers
       --property FailoverTime --property FailoverTimeSyncStandby)
# each incident, then the configuration that protects against it
CONFIGS=(timer-rule-violated timer-rule-enforced issue-308-stale-leader issue-308-fixed
         synchronous-three-members)

report() {  # a check that finds a violation exits 1: that is an expected outcome here
    nice "$CCRVERIFY" report "$@" >/dev/null || [ $? -eq 1 ]
}

mkdir -p reports/patroni-incidents
for config in "${CONFIGS[@]}"; do
    for ext in md html; do
        report "specs/patroni/$config.toml" "${PROPS[@]}" \
            --out "reports/patroni-incidents/$config.$ext"
    done
done

SWEEPS=(
    --sweep 'ttl=1..8 loop_wait=1..4 retry_timeout=1..3'
    --sweep 'ttl=1..9 loop_wait=1..4 retry_timeout=1..3 demote_on_failed_update=false stale_reads=false'
)
for ext in md html; do
    report specs/patroni/question-timers.toml --property NoSplitBrain --property FailoverTime \
        "${SWEEPS[@]}" --jobs 2 --out "reports/patroni-timers.$ext"
done

.venv/bin/python specs/patroni/join_reports.py "${CONFIGS[@]}"
