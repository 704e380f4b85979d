#!/usr/bin/env bash
# The soak: tests/Soak/run.sh [SECONDS] [REPORT_DIR]   (default 600 s; CI runs 60)
# Runs admission serve in cluster mode against the test API server with ChangeApproval churn and a
# steady review load, samples resident memory, GC heap, handles and threads every 5 s, and writes
# REPORT_DIR/soak.csv and soak.png (default: tests/Soak/reports/latest). Exits 1 when any series
# grows over the second half of the run (fitted slope) or any review failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-600}
report=${2:-$here/reports/latest}
dotnet build "$here" -c Release --nologo -v q >/dev/null
exec dotnet "$here/bin/Release/net10.0/Admission.Soak.dll" "$seconds" "$report"
