#!/usr/bin/env python3
"""Summarizes run.sh's results: for each step the median over rounds of req/s and latency
percentiles, and the median over rounds of the ratio to the floor measured next to it.
Input lines: FORMAT NAME RPS P50 P99 P999 ERRORS, floor and webhook steps in turn per round
(and, in the JSON run, the parse-only floor's, which is compared with the floor as the webhook is)."""
import statistics
import sys


def protocol(name):
    """Which floor step a step is compared with: new connections, HTTP/1.1 or HTTP/2."""
    return "newconn" if "-newconn" in name else "h1" if "-h1" in name else "h2"


rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
steps, ratios = {}, {}
for i, (fmt, name, rps, p50, p99, p999, errors) in enumerate(rows):
    vals = (float(rps), float(p50), float(p99), float(p999), int(errors))
    key = (fmt, name)
    steps.setdefault(key, []).append(vals)
# Pair each webhook step with the floor step of the same protocol in the same round.
floors = {}
for fmt, name, rps, p50, p99, p999, _ in rows:
    proto = protocol(name)
    if name.startswith("floor"):
        floors.setdefault((fmt, proto), []).append((float(rps), float(p99)))
for fmt, name, rps, p50, p99, p999, _ in rows:
    proto = protocol(name)
    if not name.startswith("floor"):
        ratios.setdefault((fmt, name), []).append((float(rps), float(p99)))
print(f"{'step':<22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'errors':>6} {'x rps':>6} {'x p99':>6}  (medians over rounds)")
for (fmt, name), vals in steps.items():
    med = [statistics.median(v[k] for v in vals) for k in range(4)]
    errors = sum(v[4] for v in vals)
    label = name if not name.startswith("floor") else f"{name} ({fmt} run)"
    if not name.startswith("floor"):
        proto = protocol(name)
        pairs = list(zip(ratios[(fmt, name)], floors[(fmt, proto)]))
        xr = statistics.median(w[0] / f[0] for w, f in pairs)
        xp = statistics.median(w[1] / f[1] for w, f in pairs)
        print(f"{label:<22} {med[0]:>9.0f} {med[1]:>8.3f} {med[2]:>8.3f} {med[3]:>9.3f} {errors:>6} {xr:>6.2f} {xp:>6.2f}")
    else:
        print(f"{label:<22} {med[0]:>9.0f} {med[1]:>8.3f} {med[2]:>8.3f} {med[3]:>9.3f} {errors:>6} {'1.00':>6} {'1.00':>6}")
