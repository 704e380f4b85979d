#!/usr/bin/env bash
# Load test of the real webhook over HTTPS with `hey` (Debian package). Reports /validate
# throughput and latency as a ratio to /healthz measured in the same run on the same server, so
# the numbers mean something on any machine. Bounded: a fixed number of requests, loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v hey >/dev/null || { apt-get install -y -qq hey >/dev/null; }
requests=${REQUESTS:-20000}
concurrency=${CONCURRENCY:-32}
port=${PORT:-18443}
work=$(mktemp -d)
dotnet build src/Operator -c Release -v q --nologo >/dev/null
dotnet src/Operator/bin/Release/net10.0/admission.dll serve --approvals examples --policy examples/policy.yaml \
  --listen "https://127.0.0.1:$port" --tls-dir "$work/tls" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf --cacert "$work/tls/ca.crt" "https://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

run() { # name, extra hey args...
  local name=$1; shift
  hey -n "$requests" -c "$concurrency" "$@" >"$work/$name.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$name.txt")
  p99=$(awk '/99% in/ {print $3}' "$work/$name.txt")
  echo "$name $rps $p99"
}
# hey does not verify certificates; the integration tests check TLS properly.
base=$(run healthz "https://127.0.0.1:$port/healthz")
deny=$(run validate-denied -m POST -T application/json -D examples/reviews/deployment-update-denied.json "https://127.0.0.1:$port/validate")
scale=$(run validate-scale -m POST -T application/json -D examples/reviews/deployment-scale.json "https://127.0.0.1:$port/validate")
printf '%-18s %12s %10s %14s %12s\n' endpoint req/s p99-s "ratio-req/s" "ratio-p99"
read -r _ brps bp99 <<<"$base"
for line in "$base" "$deny" "$scale"; do
  read -r name rps p99 <<<"$line"
  printf '%-18s %12s %10s %14.2f %12.2f\n' "$name" "$rps" "$p99" "$(echo "$rps / $brps" | bc -l)" "$(echo "$p99 / $bp99" | bc -l)"
done
grep -c 'decision uid=' "$work/serve.log" | xargs -I{} echo "decisions logged: {}"
