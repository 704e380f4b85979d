#!/usr/bin/env bash
# Installs the Debian packages the test suite drives as real tools: load generators (wrk, and
# h2load from nghttp2-client), promtool (from prometheus) for the chart's alert rules, and afl++
# for the fuzz harness smoke run. Idempotent: a tool already on PATH is not installed again.
set -euo pipefail

declare -A package_of=([wrk]=wrk [h2load]=nghttp2-client [promtool]=prometheus [afl-fuzz]=afl++)
missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-tools: wrk, h2load, promtool and afl-fuzz already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-tools: missing ${missing[*]}; run as root or install them with apt-get" >&2
  exit 1
fi
echo "install-tools: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
