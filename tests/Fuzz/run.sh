#!/usr/bin/env bash
# Fuzz one target with afl-fuzz for a given time:  tests/Fuzz/run.sh TARGET SECONDS
#   TARGET: review (body bytes -> POST /validate -> answer), policy, manifest, approval
# Builds the harness, copies it to $FUZZ_WORK (default /tmp/admission-fuzz), instruments the
# project's assemblies with SharpFuzz there (never in the tree), and runs afl-fuzz from the
# committed seed corpus (corpus/TARGET). Findings land in $FUZZ_WORK/out/TARGET/default/{crashes,hangs};
# replay one (uninstrumented build) with:  dotnet $FUZZ_WORK/plain/Admission.Fuzz.dll TARGET --replay FILE
# ADMISSION_FUZZ_STRICT=0 checks only the envelope for allowed reviews, not contract 2.1's field rules.
# Exit status: 0 when afl found no crash and no hang, 1 otherwise.
set -euo pipefail
target=${1:?usage: run.sh review|policy|manifest|approval SECONDS}
seconds=${2:?usage: run.sh TARGET SECONDS}
case "$target" in review|policy|manifest|approval) ;; *) echo "unknown target: $target" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
work=${FUZZ_WORK:-/tmp/admission-fuzz}
build=$work/build
out=$work/out/$target
mkdir -p "$work/out"

command -v afl-fuzz >/dev/null || { echo "afl-fuzz is missing: apt-get install -y afl++" >&2; exit 2; }
sharpfuzz=$work/tools/sharpfuzz
if [ ! -x "$sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >/dev/null
fi

# FUZZ_PREBUILT=1 fuzzes the build already in $FUZZ_WORK/plain (several targets from one build).
if [ "${FUZZ_PREBUILT:-0}" != 1 ]; then
  dotnet build "$here" -c Release -o "$work/plain" --nologo -v q >/dev/null
fi
rm -rf "$build" && cp -r "$work/plain" "$build"
# The project's own code and the YAML parser it trusts; System.Text.Json is part of the runtime
# and cannot be instrumented, but its callers' branches are.
for dll in admission.dll Admission.Policies.dll YamlDotNet.dll; do
  "$sharpfuzz" "$build/$dll" >/dev/null
done

# Keep the previous run's queue as this run's seeds, so time spent adds up across runs.
seeds=$here/corpus/$target
if [ -d "$out/default/queue" ] && [ -n "$(ls -A "$out/default/queue" 2>/dev/null)" ]; then
  seeds=-
fi

export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export DOTNET_TieredPGO=0 DOTNET_gcServer=0
afl-fuzz -i "$seeds" -o "$out" -x "$here/dictionary.txt" -t 5000 -m none -V "$seconds" \
  -- "$(command -v dotnet)" "$build/Admission.Fuzz.dll" "$target" > "$work/$target.log" 2>&1 || true

stats=$out/default/fuzzer_stats
[ -f "$stats" ] || { echo "afl-fuzz did not start; see $work/$target.log" >&2; tail -20 "$work/$target.log" >&2; exit 2; }
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg) ' "$stats"
crashes=$(awk '$1=="saved_crashes"{print $3}' "$stats")
hangs=$(awk '$1=="saved_hangs"{print $3}' "$stats")
[ "$crashes" = 0 ] && [ "$hangs" = 0 ]
