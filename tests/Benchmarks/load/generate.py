#!/usr/bin/env python3
"""Generates the load test's inputs: 10,000 approved ChangeApprovals across 100 Tier-1
namespaces (one file per namespace, plus one of Namespaces: 101 files), and the AdmissionReviews
of the request mix, built from examples/reviews/deployment-update-denied.json.

usage: generate.py REPO OUT [APPROVALS] [NAMESPACES]
"""
import copy
import datetime
import json
import os
import sys

repo, out = sys.argv[1], sys.argv[2]
approvals = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
namespaces = int(sys.argv[4]) if len(sys.argv) > 4 else 100
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
image = "registry.example.com/app:1.0.{}"

os.makedirs(f"{out}/approvals", exist_ok=True)
os.makedirs(f"{out}/reviews", exist_ok=True)
with open(f"{out}/approvals/namespaces.yaml", "w") as f:
    for n in range(namespaces):
        f.write(f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n  labels:\n    approvals.admission.dev/tier: \"1\"\n")
    f.write("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: sandbox\n  labels:\n    approvals.admission.dev/tier: \"3\"\n")


def approval(i, ns, approvers):
    entries = "".join(f"  - approver: {a}\n    approvedAt: \"{stamp(now - datetime.timedelta(minutes=30))}\"\n" for a in approvers)
    return (f"---\napiVersion: approvals.admission.dev/v1alpha1\nkind: ChangeApproval\nmetadata:\n  name: change-{i}\n  namespace: {ns}\n"
            f"spec:\n  target:\n    apiGroup: apps\n    kind: Deployment\n    name: app-{i // namespaces}\n  operations: [CREATE, UPDATE]\n"
            f"  images:\n  - {image.format(i // namespaces)}\n  - registry.example.com/sidecar:3.1\n"
            f"  reason: \"Roll out 1.0.{i // namespaces}, load test\"\n  ticket: CHG-{i}\n  requestedBy: carol\n"
            f"  notBefore: \"{stamp(now - datetime.timedelta(hours=1))}\"\n  expiresAt: \"{stamp(now + datetime.timedelta(days=30))}\"\n"
            f"  approvals:\n{entries}")


files = [[] for _ in range(namespaces)]
for i in range(approvals):
    ns = i % namespaces
    # ns-1/app-1 gets approvals that each lack something, so its denial message is a full one.
    approvers = ["alice"] if (ns == 1 and i // namespaces < 4) else ["alice", "bob"]
    files[ns].append(approval(i, f"ns-{ns}", approvers))
# Two more for ns-1/app-1: one of carol's own (self-approval), one for another image.
files[1].append(approval(namespaces + 1, "ns-1", ["carol", "bob"]).replace("change-101\n", "change-self\n"))
for ns in range(namespaces):
    with open(f"{out}/approvals/ns-{ns}.yaml", "w") as f:
        f.write("".join(files[ns]))

template = json.load(open(f"{repo}/examples/reviews/deployment-update-denied.json"))


def review(ns, name, version, uid, keep_bulk=False, extra_env=0):
    r = copy.deepcopy(template)
    req = r["request"]
    req.update(uid=uid, namespace=ns, name=name, dryRun=False)
    for key in ("object", "oldObject"):
        o = req[key]
        o["metadata"].update(namespace=ns, name=name)
        if not keep_bulk:
            o["metadata"].pop("managedFields", None)
            o["metadata"].pop("annotations", None)
        containers = o["spec"]["template"]["spec"]["containers"]
        containers[0]["image"] = image.format(version if key == "object" else version - 1 if version > 0 else 99)
        for c in containers[1:]:
            c["image"] = "registry.example.com/sidecar:3.1"
        for c in o["spec"]["template"]["spec"].get("initContainers", []):
            c["image"] = "registry.example.com/sidecar:3.1"
        containers[0].setdefault("env", []).extend({"name": f"SETTING_{k}", "value": "x" * 40} for k in range(extra_env))
    return r


def write(name, r):
    body = json.dumps(r, separators=(",", ":"))
    with open(f"{out}/reviews/{name}.json", "w") as f:
        f.write(body)
    return len(body)


sizes = {}
# approved: ns-0/app-0 at 1.0.0 is covered by change-0 (alice and bob).
sizes["approved"] = write("approved", review("ns-0", "app-0", 0, "00000000-0000-4000-8000-000000000001"))
# denied: ns-1/app-1 at 1.0.1; its approvals lack an approver, or are carol's own.
sizes["denied"] = write("denied", review("ns-1", "app-1", 1, "00000000-0000-4000-8000-000000000002"))
scale = json.load(open(f"{repo}/examples/reviews/deployment-scale.json"))
scale["request"].update(namespace="ns-2", name="app-2", uid="00000000-0000-4000-8000-000000000003")
for key in ("object", "oldObject"):
    scale["request"][key]["metadata"].update(namespace="ns-2", name="app-2")
sizes["scale"] = write("scale", scale)
# big: a 25 KB UPDATE of ns-3/app-3, approved (managed fields, annotations and a long env kept).
big_env = 0
while True:
    r = review("ns-3", "app-3", 3, "00000000-0000-4000-8000-000000000004", keep_bulk=True, extra_env=big_env)
    if len(json.dumps(r, separators=(",", ":"))) >= 25_000:
        break
    big_env += 5
sizes["big"] = write("big", r)
# unguarded: a Deployment in a namespace that is not Tier-1.
sizes["unguarded"] = write("unguarded", review("sandbox", "app-5", 5, "00000000-0000-4000-8000-000000000005"))
print(" ".join(f"{k}={v}B" for k, v in sizes.items()))
