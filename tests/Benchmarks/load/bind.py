#!/usr/bin/env python3
"""Binds the exact change of the load test's admitted reviews into the approvals that admit them,
so that the mix takes the digest path under the policy's default (requireExactChange: true).

usage: bind.py GEN ADMISSION_DLL

For each admitted review (approved.json: ns-0/app-0 by change-0; big.json: ns-3/app-3 by
change-303) it writes the request's object and oldObject to files, asks `admission digest` for
their digests (the webhook's own computation, so nothing here reimplements RFC 8785), and adds
spec.change {digest, base} to that approval in the generated YAML.
"""
import json
import os
import re
import subprocess
import sys

gen, dll = sys.argv[1], sys.argv[2]
bindings = {"approved": ("ns-0", "change-0"), "big": ("ns-3", "change-303")}
work = os.path.join(gen, "digest")
os.makedirs(work, exist_ok=True)
paths = []
for review, _ in bindings.items():
    request = json.load(open(f"{gen}/reviews/{review}.json"))["request"]
    for key in ("object", "oldObject"):
        path = f"{work}/{review}-{key}.json"
        with open(path, "w") as f:
            json.dump(request[key], f)
        paths.append(path)
out = subprocess.run(["dotnet", dll, "digest"] + [a for p in paths for a in ("-f", p)], check=True, capture_output=True, text=True).stdout
digests = [line.split()[-1] for line in out.splitlines() if line.strip()]
if len(digests) != len(paths) or not all(d.startswith("sha256:") for d in digests):
    sys.exit(f"bind: unexpected output of admission digest: {out!r}")
for i, (review, (ns, name)) in enumerate(bindings.items()):
    result, base = digests[2 * i], digests[2 * i + 1]
    path = f"{gen}/approvals/{ns}.yaml"
    text = open(path).read()
    # The approval's document ends where the next begins; spec.change goes after spec.target's block.
    pattern = re.compile(rf"(\n  name: {re.escape(name)}\n  namespace: {ns}\nspec:\n)")
    text, n = pattern.subn(rf"\1  change:\n    digest: {result}\n    base: {base}\n", text)
    if n != 1:
        sys.exit(f"bind: approval {ns}/{name} not found once in {path}")
    with open(path, "w") as f:
        f.write(text)
