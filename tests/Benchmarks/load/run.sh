#!/usr/bin/env bash
# The webhook against its floor, in one run on one machine (see docs/performance.md).
#
#   tests/Benchmarks/load/run.sh           full run by hand: 10 s per load step
#   tests/Benchmarks/load/run.sh --short   CI smoke: 2 s per step, only that it runs
#
# Starts `admission serve` in local mode on 10,000 generated ChangeApprovals across 100
# namespaces, and the floor (a bare Kestrel HTTPS responder with the same certificate), then
# drives each in turn with wrk (HTTP/1.1, a mix of reviews) and h2load (HTTP/2), once with
# --log-format json and once with text; in the JSON run also a second floor that parses each body
# as /validate must (parse-only: the contract's share of the gap), and wrk with a new connection
# per review (newconn: Connection: close, a TLS handshake each). Prints throughput, p50/p99/p99.9
# latency and the ratios to the floor, the webhook's resident memory and its time from start to
# ready; then, at a moderate fixed rate (RATE reviews per second, 1000 by default; h2load's --rps,
# over HTTP/2 and HTTP/1.1), the latency each adds at the same offered load and the CPU each spends
# per review: what a write pays in a cluster, and what a pod's CPU request pays for.
# Loopback only; every load step is bounded in time. Environment: DURATION (s), CONNECTIONS,
# APPROVALS, RATE, NO_BUILD=1 (use the binaries already built), PUBLISH=1 (with NO_BUILD: publish the
# image's build all the same, so its start-up is timed too), DOTNET_* settings pass through.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
repo=$(cd "$here/../../.." && pwd)
short=0; [ "${1:-}" = "--short" ] && short=1
duration=${DURATION:-$([ $short = 1 ] && echo 2 || echo 4)}
# Floor and webhook alternate, round after round, so a neighbour's burst of load hits both alike;
# the ratios reported are the medians of each round's ratio.
rounds=${ROUNDS:-$([ $short = 1 ] && echo 1 || echo 5)}
# Long enough for the tiered JIT to finish: with 4 s, a profile still found 12% of the webhook's CPU in
# the JIT during the first measured seconds; after 20 s, under 1%.
warmup=${WARMUP:-$([ $short = 1 ] && echo 1 || echo 10)}
connections=${CONNECTIONS:-16}
approvals=${APPROVALS:-10000}
for tool in wrk h2load curl python3; do
  command -v $tool >/dev/null || { echo "load: $tool is not installed (apt-get install wrk nghttp2-client curl python3)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# What ships is the image's build (Dockerfile): self-contained, ReadyToRun for the machine's
# architecture, one composite image of the app and the framework assemblies it loads. Start-up is
# measured on that and, when this run published it, so are the load steps (the ordinary build
# otherwise: CI's smoke run, NO_BUILD=1 without PUBLISH=1). The two differ in more than start-up:
# the app's methods start from the composite image and are profiled by tiered PGO as they get
# hot, where the ordinary build compiles its loop methods optimized once, unprofiled.
published="$repo/tests/Benchmarks/bin/published"
case "$(uname -m)" in aarch64 | arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
if [ "${NO_BUILD:-0}" != 1 ]; then
  dotnet build "$repo/src/Operator" -c Release -v q --nologo >/dev/null
  dotnet build "$repo/tests/Benchmarks/Floor" -c Release -v q --nologo >/dev/null
fi
if [ "${NO_BUILD:-0}" != 1 ] || [ "${PUBLISH:-0}" = 1 ]; then
  rm -rf "$published" # a framework-dependent publish of an older checkout would leave files behind
  dotnet publish "$repo/src/Operator/Admission.Operator.csproj" -c Release -r "$rid" -p:PublishReadyToRun=true \
    -p:PublishReadyToRunComposite=true --self-contained -p:UseAppHost=true -o "$published" -v q --nologo >/dev/null
  load_program="$published/admission"; load_build="the image's build"
fi
webhook_dll="$repo/src/Operator/bin/Release/net10.0/admission.dll"
load_program=${load_program:-$webhook_dll}; load_build=${load_build:-the ordinary build}
floor_dll="$repo/tests/Benchmarks/Floor/bin/Release/net10.0/admission-floor.dll"
sizes=$(python3 "$here/generate.py" "$repo" "$work/gen" "$approvals" 100)
# The approvals that admit the mix's two admitted reviews bind their exact change (spec.change),
# and serve runs with the default policy (requireExactChange: true): each admission takes the
# digest path.
python3 "$here/bind.py" "$work/gen" "$webhook_dll"
reviews="$work/gen/reviews"
mix=(3:$reviews/approved.json 1:$reviews/denied.json 2:$reviews/scale.json 1:$reviews/big.json 3:$reviews/unguarded.json)

# Waits for https://127.0.0.1:PORT/readyz (ready.py: one kept-alive connection, polled every 5 ms);
# prints seconds since START and the process's CPU seconds.
wait_ready() { # pid port start
  local took; took=$(python3 "$here/ready.py" "$2" "$work/tls/ca.crt" "$1" "$3") || exit 1
  printf '%.3f %.2f\n' "$took" "$(echo "$(cpu_ticks "$1") / $(getconf CLK_TCK)" | bc -l)"
}
# One fixed-rate step: h2load, 4 keep-alive connections at RATE/4 reviews per second each, the
# approved review, over HTTP/2 or (--h1) HTTP/1.1. Appends "name proto answered cpu-ticks p50 p99
# p99.9 failed" (latencies in ms, from h2load's per-request log) to $work/rate.
fixed_rate() { # name port pid seconds proto
  local c0 log="$work/rate-$1-$5.log" flags=(); [ "$5" = h1 ] && flags=(--h1)
  rm -f "$log" # h2load appends to it
  c0=$(cpu_ticks "$3")
  h2load "${flags[@]}" -c 4 -m 1 -t 1 --rps $((rate / 4)) -D "$4" -H 'Content-Type: application/json' \
    -d "$reviews/approved.json" --log-file="$log" "https://127.0.0.1:$2/validate?timeout=10s" >"$work/rate-$1-$5.out"
  local ticks=$(( $(cpu_ticks "$3") - c0 ))
  local failed; failed=$(awk '/^requests:/ { print $10 + $12 + $14 }' "$work/rate-$1-$5.out")
  # Column 2 is the status, 3 the time from request to response in microseconds.
  awk '$2 == 200 { print $3 }' "$log" | sort -n | awk -v name="$1" -v proto="$5" -v ticks="$ticks" -v failed="${failed:-0}" '{ d[NR] = $1 }
    END { if (NR == 0) { printf "%s %s 0 %d 0 0 0 %d\n", name, proto, ticks, failed; exit }
          printf "%s %s %d %d %.3f %.3f %.3f %d\n", name, proto, NR, ticks, d[int(NR * 0.50) + 1] / 1000, d[int(NR * 0.99) + 1] / 1000, d[int(NR * 0.999) + 1] / 1000, failed }' >>"$work/rate"
}
rate=${RATE:-1000}

start_webhook() { # format port [program: the ordinary build's dll by default, or an app host]
  local start program=${3:-$webhook_dll} run=(); start=$(date +%s.%N)
  [[ $program == *.dll ]] && run=(dotnet)
  "${run[@]}" "$program" serve --approvals "$work/gen/approvals" --listen "https://127.0.0.1:$2" \
    --tls-dir "$work/tls" --log-format "$1" >"$work/serve-$1.log" 2>&1 &
  webhook=$!; pids+=("$webhook")
  read -r ready_s ready_cpu <<<"$(wait_ready "$webhook" "$2" "$start")"
}

# One load step; appends "name rps p50 p99 p999 errors" (latencies in ms) to $work/results.
h1() { # name port seconds [mix.lua arguments: the mix by default]
  local name=$1 port=$2 seconds=$3; shift 3
  [ $# -gt 0 ] || set -- "${mix[@]}"
  wrk -t 2 -c "$connections" -d "${seconds}s" --timeout 5s -s "$here/mix.lua" "https://127.0.0.1:$port/validate" -- "$@" >"$work/$name.wrk"
  awk -v name="$name" '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%s %.0f %.3f %.3f %.3f %d\n", name, v["requests"] / (v["duration_us"] / 1e6), v["p50"] / 1000, v["p99"] / 1000, v["p999"] / 1000, v["errors"] }' \
    "$work/$name.wrk" >>"$work/results"
}
h2() { # name port seconds
  # h2load appends to its log file: each step starts a new one, so its percentiles are its own.
  local log="$work/$1.h2log"; rm -f "$log"
  h2load -c "$connections" -m 1 -t 1 -D "$3" -H 'Content-Type: application/json' -d "$reviews/approved.json" \
    --log-file="$log" "https://127.0.0.1:$2/validate?timeout=10s" >"$work/$1.h2load"
  grep -q 'h2' "$work/$1.h2load" || { echo "load: h2load did not negotiate HTTP/2 with $1" >&2; cat "$work/$1.h2load" >&2; exit 1; }
  local rps failed; rps=$(awk '/^finished in/ { gsub(",", ""); print $4 }' "$work/$1.h2load")
  failed=$(awk '/^requests:/ { print $10 + $12 + $14 }' "$work/$1.h2load") # "N failed, N errored, N timeout"
  sort -n -k3,3 "$log" | awk -v name="$1" -v rps="$rps" -v failed="$failed" '{ d[NR] = $3 }
    END { printf "%s %.0f %.3f %.3f %.3f %d\n", name, rps, d[int(NR * 0.50) + 1] / 1000, d[int(NR * 0.99) + 1] / 1000, d[int(NR * 0.999) + 1] / 1000, failed }' >>"$work/results"
}

# Start-up alone, the ordinary build and the published one in turn (cold processes; the first
# start also generates the certificate the floor uses): wall time and CPU time to ready.
startups=${STARTUPS:-$([ $short = 1 ] && echo 1 || echo 3)}
for round in $(seq 1 "$startups"); do
  for build in build published; do
    program=$webhook_dll; [ $build = published ] && program="$published/admission"
    [ -f "$program" ] || continue
    start_webhook json "$(free_port)" "$program"
    echo "start-up ($build): ready in ${ready_s}s (${ready_cpu}s of CPU), $(rss_mb "$webhook") MB resident" | tee -a "$work/summary"
    kill "$webhook"; wait "$webhook" 2>/dev/null || true
  done
done

# The floor, with the webhook's certificate (generated by the first webhook start).
floor_port=$(free_port)
for format in json text; do
  port=$(free_port)
  start_webhook "$format" "$port" "$load_program"
  echo "webhook ($format log, $load_build): ready in ${ready_s}s (${ready_cpu}s of CPU), $(rss_mb "$webhook") MB resident" | tee -a "$work/summary"
  # Scraped once, as Prometheus scrapes a pod from its start: prometheus-net starts listening to the
  # runtime's meters and event sources at its first scrape, so an unscraped webhook would be
  # measured without what a monitored one pays per request.
  curl -sf --cacert "$work/tls/ca.crt" "https://127.0.0.1:$port/metrics" >/dev/null
  if [ -z "${floor:-}" ]; then
    dotnet "$floor_dll" "$floor_port" "$work/tls/tls.crt" "$work/tls/tls.key" >"$work/floor.log" 2>&1 &
    floor=$!; pids+=("$floor")
    wait_ready "$floor" "$floor_port" "$(date +%s.%N)" >/dev/null
    # The floor that also parses each body as /validate must (parse-only): how much of the gap
    # the contract's parse alone takes, measured with the JSON run.
    parse_port=$(free_port)
    dotnet "$floor_dll" "$parse_port" "$work/tls/tls.crt" "$work/tls/tls.key" parse >"$work/parse-only.log" 2>&1 &
    parse_only=$!; pids+=("$parse_only")
    wait_ready "$parse_only" "$parse_port" "$(date +%s.%N)" >/dev/null
  fi
  # Each review once, to check the mix decides as intended before measuring it.
  for r in approved denied scale big unguarded; do
    decision=$(curl -sf --cacert "$work/tls/ca.crt" -H 'Content-Type: application/json' --data-binary "@$reviews/$r.json" \
      "https://127.0.0.1:$port/validate" | python3 -c 'import json,sys; r=json.load(sys.stdin)["response"]; print(r["auditAnnotations"]["decision"])')
    echo "$r=$decision" >>"$work/decisions-$format"
  done
  expected="approved=approved denied=denied scale=no-approval-needed big=approved unguarded=not-guarded"
  if [ "$(tr '\n' ' ' <"$work/decisions-$format" | sed 's/ $//')" != "$expected" ]; then
    echo "load: the mix does not decide as intended: $(tr '\n' ' ' <"$work/decisions-$format") (expected $expected)" >&2
    exit 1
  fi
  # Warm both (JIT, connection pools), then measure each in turn: floor, webhook, per protocol.
  h1 warm-floor "$floor_port" "$warmup"; h1 warm-webhook "$port" "$warmup"; h2 warm-floor-h2 "$floor_port" "$warmup"; h2 warm-webhook-h2 "$port" "$warmup"
  [ "$format" = json ] && { h1 warm-parse-only "$parse_port" "$warmup"; h2 warm-parse-only-h2 "$parse_port" "$warmup"; }
  : >"$work/results"
  for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) = 1 ]; then
      h1 "floor-h1" "$floor_port" "$duration"; h1 "webhook-h1-$format" "$port" "$duration"
      h2 "floor-h2" "$floor_port" "$duration"; h2 "webhook-h2-$format" "$port" "$duration"
    else
      h1 "webhook-h1-$format" "$port" "$duration"; h1 "floor-h1" "$floor_port" "$duration"
      h2 "webhook-h2-$format" "$port" "$duration"; h2 "floor-h2" "$floor_port" "$duration"
    fi
    if [ "$format" = json ]; then
      h1 "parse-only-h1" "$parse_port" "$duration"; h2 "parse-only-h2" "$parse_port" "$duration"
      # A new connection for every review (HTTP/1.1, Connection: close): what a client that does not
      # keep its connections pays, a TCP connection and a TLS handshake per review.
      newconn=(close "1:$reviews/approved.json")
      if [ $((round % 2)) = 1 ]; then
        h1 "floor-newconn" "$floor_port" "$duration" "${newconn[@]}"; h1 "webhook-newconn-json" "$port" "$duration" "${newconn[@]}"
      else
        h1 "webhook-newconn-json" "$port" "$duration" "${newconn[@]}"; h1 "floor-newconn" "$floor_port" "$duration" "${newconn[@]}"
      fi
    fi
  done
  awk -v format="$format" '{ print format, $0 }' "$work/results" >>"$work/all"
  if [ "$format" = json ]; then
    for round in $(seq 1 "$rounds"); do
      for proto in h2 h1; do
        if [ $((round % 2)) = 1 ]; then
          fixed_rate webhook "$port" "$webhook" "$duration" $proto; fixed_rate floor "$floor_port" "$floor" "$duration" $proto
        else
          fixed_rate floor "$floor_port" "$floor" "$duration" $proto; fixed_rate webhook "$port" "$webhook" "$duration" $proto
        fi
      done
    done
  fi
  dropped=$(curl -sf --cacert "$work/tls/ca.crt" "https://127.0.0.1:$port/metrics" | awk '/^admission_decision_log_dropped_total/ { print $2 }')
  logged=$(grep -c 'decision uid=' "$work/serve-$format.log" || true)
  echo "webhook ($format log): after load $(rss_mb "$webhook") MB resident (peak $(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$webhook/status") MB); decision lines written $logged, dropped ${dropped:-0}; mix: $(tr '\n' ' ' <"$work/decisions-$format")" | tee -a "$work/summary"
  kill "$webhook"; wait "$webhook" 2>/dev/null || true
done
echo "floor: after load $(rss_mb "$floor") MB resident (peak $(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$floor/status") MB)" | tee -a "$work/summary"

echo
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "requests: $sizes; HTTP/1.1 mix by weight ${mix[*]##*/}; HTTP/2 approved.json; $connections connections; $rounds rounds of ${duration}s per step"
python3 "$here/summarize.py" "$work/all"
python3 "$here/fixed_rate.py" "$work/rate" "$(getconf CLK_TCK)" "$rate" "$duration"
errors=$(awk '{ s += $7 } END { print s + 0 }' "$work/all")
errors=$(( errors + $(awk '{ s += $8 } END { print s + 0 }' "$work/rate") ))
[ "$errors" = 0 ] || { echo "load: $errors requests failed" >&2; exit 1; }
