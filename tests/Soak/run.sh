#!/usr/bin/env bash
# The soak: tests/Soak/run.sh [--short] [--approvals N] [SECONDS] [REPORT_DIR]   (default 600 s; --short: 60 s, what CI runs)
# --approvals N: N approved ChangeApprovals in place before the webhook starts (docs/performance.md,
# "Memory": a replica holding 10,000), which the leader's status operator then sweeps.
# Runs admission serve in cluster mode against the test API server with ChangeApproval churn and a
# steady review load, after a 20 s warm-up, samples resident memory, GC heap, handles and threads
# every few seconds, and writes REPORT_DIR/soak.csv and soak.png (default: tests/Soak/reports/latest).
# Exits 1 when any review failed (not answered 200 with its uid: a 5xx, a timeout, a refused
# connection) or was decided wrongly, or when memory or handles grow: the full run fits a slope
# over its second half for each series; the short run bounds resident memory as the ratio of its
# last third to its first third and open handles as the last third's highest against the first's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=()
if [ "${1:-}" = "--short" ]; then mode=(--short); shift; fi
if [ "${1:-}" = "--approvals" ]; then mode+=(--approvals "${2:?--approvals wants a count}"); shift 2; fi
seconds=${1:-$([ "${mode[0]:-}" = --short ] && echo 60 || echo 600)}
report=${2:-$here/reports/latest}
dotnet build "$here" -c Release --nologo -v q >/dev/null
exec dotnet "$here/bin/Release/net10.0/Admission.Soak.dll" "${mode[@]}" "$seconds" "$report"
