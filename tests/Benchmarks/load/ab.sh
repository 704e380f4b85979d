#!/usr/bin/env bash
# Two settings of the webhook side by side (docs/performance.md, "Tiered PGO"): which of them is
# faster, measured as run.sh measures the webhook against its floor.
#
#   tests/Benchmarks/load/ab.sh 'DOTNET_TieredPGO=0' 'DOTNET_TieredPGO=1'
#   tests/Benchmarks/load/ab.sh --short A B    CI smoke: one start, one round of 1 s, only that it runs
#
# A and B are environment assignments (several, space-separated, or "" for none) for
# `admission serve`. Both run the same program: the image's build in tests/Benchmarks/bin/published
# when run.sh has published it (whatever checkout that was: run run.sh first after a change), else
# the ordinary build; PROGRAM_A and PROGRAM_B compare two
# programs instead (an app host, or a dll run with dotnet). On 10,000 generated ChangeApprovals:
# STARTS cold starts of each, alternating, then both serving at once, driven in turn, the order
# swapped every round so that a neighbour's load hits both alike: ROUNDS rounds of DURATION s
# of h2load (the approved UPDATE) and of wrk (run.sh's mix), and three rounds (one with --short)
# at 1,000 reviews per second for the CPU each spends per review. Prints each round's B/A ratio and their medians;
# only ratios of the same run compare.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
repo=$(cd "$here/../../.." && pwd)
short=0; [ "${1:-}" = "--short" ] && { short=1; shift; }
[ $# = 2 ] || { echo "usage: ab.sh [--short] 'NAME=VALUE ...' 'NAME=VALUE ...'" >&2; exit 2; }
settings=("$1" "$2")
starts=${STARTS:-$([ $short = 1 ] && echo 1 || echo 6)}
rounds=${ROUNDS:-$([ $short = 1 ] && echo 1 || echo 6)}
duration=${DURATION:-$([ $short = 1 ] && echo 1 || echo 4)}
warmup=${WARMUP:-$([ $short = 1 ] && echo 1 || echo 10)}
for tool in wrk h2load curl python3 bc; do
  command -v $tool >/dev/null || { echo "ab: $tool is not installed (apt-get install wrk nghttp2-client curl python3 bc)" >&2; exit 1; }
done

webhook_dll="$repo/src/Operator/bin/Release/net10.0/admission.dll"
[ -f "$webhook_dll" ] || dotnet build "$repo/src/Operator" -c Release -v q --nologo >/dev/null
default_program="$webhook_dll"
[ -x "$repo/tests/Benchmarks/bin/published/admission" ] && default_program="$repo/tests/Benchmarks/bin/published/admission"
programs=("${PROGRAM_A:-$default_program}" "${PROGRAM_B:-$default_program}")

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
python3 "$here/generate.py" "$repo" "$work/gen" "${APPROVALS:-10000}" 100 >/dev/null
python3 "$here/bind.py" "$work/gen" "$webhook_dll"
reviews="$work/gen/reviews"
mix=(3:$reviews/approved.json 1:$reviews/denied.json 2:$reviews/scale.json 1:$reviews/big.json 3:$reviews/unguarded.json)

median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { echo "$2 / $1" | bc -l | awk '{ printf "%.3f", $1 }'; }

start() { # which (0 = A, 1 = B) port; sets pid, took, cpu
  local s run=(); s=$(date +%s.%N)
  [[ ${programs[$1]} == *.dll ]] && run=(dotnet)
  # shellcheck disable=SC2086 # the settings are words on purpose
  env ${settings[$1]} "${run[@]}" "${programs[$1]}" serve --approvals "$work/gen/approvals" --listen "https://127.0.0.1:$2" \
    --tls-dir "$work/tls" --log-format json >"$work/serve-$1-$2.log" 2>&1 &
  pid=$!; pids+=("$pid")
  took=$(python3 "$here/ready.py" "$2" "$work/tls/ca.crt" "$pid" "$s")
  cpu=$(echo "$(cpu_ticks "$pid") / $(getconf CLK_TCK)" | bc -l)
}
names=(A B)
echo "A: ${settings[0]:-(nothing set)} ${programs[0]}"
echo "B: ${settings[1]:-(nothing set)} ${programs[1]}"

for r in $(seq 1 "$starts"); do
  order=(0 1); [ $((r % 2)) = 0 ] && order=(1 0)
  for which in "${order[@]}"; do
    start "$which" "$(free_port)"
    printf 'start %s: ready in %.3fs (%.2fs of CPU), %s MB resident\n' "${names[$which]}" "$took" "$cpu" "$(rss_mb "$pid")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done

ports=(); servers=()
for which in 0 1; do
  port=$(free_port); start "$which" "$port"; ports+=("$port"); servers+=("$pid")
  curl -sf --cacert "$work/tls/ca.crt" "https://127.0.0.1:$port/metrics" >/dev/null
done
h2rps() { # port seconds
  h2load -c 16 -m 1 -t 1 -D "$2" -H 'Content-Type: application/json' -d "$reviews/approved.json" \
    "https://127.0.0.1:$1/validate?timeout=10s" | awk '/^finished in/ { gsub(",", ""); print $4 }'
}
h1rps() { # port seconds
  wrk -t 2 -c 16 -d "${2}s" --timeout 5s -s "$here/mix.lua" "https://127.0.0.1:$1/validate" -- "${mix[@]}" |
    awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } printf "%.0f", v["requests"] / (v["duration_us"] / 1e6) }'
}
for which in 0 1; do h2rps "${ports[$which]}" "$warmup" >/dev/null; h1rps "${ports[$which]}" "$warmup" >/dev/null; done

h2ratios=(); h1ratios=()
for r in $(seq 1 "$rounds"); do
  order=(0 1); [ $((r % 2)) = 0 ] && order=(1 0)
  h2=(); h1=()
  for which in "${order[@]}"; do h2[$which]=$(h2rps "${ports[$which]}" "$duration"); done
  for which in "${order[@]}"; do h1[$which]=$(h1rps "${ports[$which]}" "$duration"); done
  for which in 0 1; do
    [ -n "${h2[$which]}" ] && [ -n "${h1[$which]}" ] || { echo "ab: ${names[$which]} answered no load step of round $r (its log: $work/serve-$which-*.log)" >&2; exit 1; }
  done
  h2ratios+=("$(ratio "${h2[0]}" "${h2[1]}")"); h1ratios+=("$(ratio "${h1[0]}" "${h1[1]}")")
  printf 'round %d: HTTP/2 A %.0f B %.0f req/s, B/A %s; HTTP/1.1 A %.0f B %.0f, B/A %s\n' "$r" \
    "${h2[0]}" "${h2[1]}" "${h2ratios[-1]}" "${h1[0]}" "${h1[1]}" "${h1ratios[-1]}"
done
echo "saturation, B/A medians: HTTP/2 $(printf '%s\n' "${h2ratios[@]}" | median), HTTP/1.1 $(printf '%s\n' "${h1ratios[@]}" | median)"

cpuratios=()
for r in $(seq 1 "$([ $short = 1 ] && echo 1 || echo 3)"); do
  per=(); order=(0 1); [ $((r % 2)) = 0 ] && order=(1 0)
  for which in "${order[@]}"; do
    c0=$(cpu_ticks "${servers[$which]}")
    answered=$(h2load -c 4 -m 1 -t 1 --rps 250 -D "$duration" -H 'Content-Type: application/json' -d "$reviews/approved.json" \
      "https://127.0.0.1:${ports[$which]}/validate?timeout=10s" | awk '/^requests:/ { print $8 }')
    [ "${answered:-0}" -gt 0 ] || { echo "ab: ${names[$which]} answered nothing at 1,000 reviews/s" >&2; exit 1; }
    per[$which]=$(echo "($(cpu_ticks "${servers[$which]}") - $c0) * 1000000 / $(getconf CLK_TCK) / $answered" | bc -l)
  done
  cpuratios+=("$(ratio "${per[0]}" "${per[1]}")")
  printf 'at 1,000 reviews/s, round %d: A %.0f us, B %.0f us of CPU per review, B/A %s\n' "$r" "${per[0]}" "${per[1]}" "${cpuratios[-1]}"
done
echo "at 1,000 reviews/s, B/A median: $(printf '%s\n' "${cpuratios[@]}" | median)"
