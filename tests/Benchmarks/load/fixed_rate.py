#!/usr/bin/env python3
"""Summarizes run.sh's fixed-rate steps: webhook and floor offered the same moderate rate of the
approved review, in turn, round after round, over HTTP/2 and HTTP/1.1. For each protocol it prints
the medians over rounds of the latency percentiles and of the CPU per review, and the medians of
each round's ratio to the floor. At the same offered rate, a latency ratio is what the webhook adds
to a write; at saturation (the load steps) latency only mirrors throughput.
Input lines: NAME PROTO ANSWERED CPU_TICKS P50 P99 P999 FAILED (latencies in ms).
Arguments: the input file, clock ticks per second, the rate, the seconds of each step."""
import statistics
import sys

path, ticks_per_s, rate, seconds = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
try:
    rows = [line.split() for line in open(path) if line.strip()]
except FileNotFoundError:
    rows = []
if not rows:
    print("fixed rate: not measured")
    sys.exit(0)

tick_us = 1e6 / ticks_per_s
steps = {}  # (name, proto) -> [(answered, cpu_us_per_review, p50, p99, p999)]
for name, proto, answered, ticks, p50, p99, p999, _failed in rows:
    n = int(answered)
    steps.setdefault((name, proto), []).append(
        (n, int(ticks) * tick_us / n if n else float("nan"), float(p50), float(p99), float(p999)))

names = {"h2": "HTTP/2", "h1": "HTTP/1.1"}
print(f"at {rate} reviews/s (approved.json, JSON log, 4 connections, {len(steps.get(('floor', 'h2'), []))} rounds of {seconds:.0f} s; medians over rounds):")
print(f"{'step':<18} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'CPU us/review':>14} {'x p50':>6} {'x p99':>6} {'x p99.9':>7} {'x CPU':>6}")
for proto in ("h2", "h1"):
    webhook, floor = steps.get(("webhook", proto), []), steps.get(("floor", proto), [])
    if not webhook or not floor:
        continue
    for who, vals in (("floor", floor), ("webhook", webhook)):
        med = [statistics.median(v[k] for v in vals) for k in (2, 3, 4, 1)]
        line = f"{who + ' ' + names[proto]:<18} {med[0]:>8.3f} {med[1]:>8.3f} {med[2]:>9.3f} {med[3]:>14.0f}"
        if who == "webhook":
            pairs = list(zip(webhook, floor))
            xs = [statistics.median(w[k] / f[k] for w, f in pairs) for k in (2, 3, 4, 1)]
            line += f" {xs[0]:>6.2f} {xs[1]:>6.2f} {xs[2]:>7.2f} {xs[3]:>6.2f}"
        print(line)
    held = min(v[0] for v in webhook + floor)
    if held < 0.9 * rate * seconds:
        print(f"  (the rate was not held over {names[proto]}: {held} reviews in a step of {seconds:.0f} s)")
