#!/usr/bin/env bash
# Copies the ChangeApproval CRD from its one source of truth, config/crd/, into the Helm chart's
# crds/ folder. Run it after changing the CRD; tests/Chart.Tests fails while the two differ.
# Usage: bash hack/sync-crd.sh [--check]   (--check: only report a difference, exit 1 if any)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="changeapprovals.approvals.admission.dev.yaml"
src="$repo_root/config/crd/$name"
dst="$repo_root/charts/admission/crds/$name"

if [[ ! -f "$src" ]]; then
  echo "sync-crd: $src does not exist" >&2
  exit 2
fi

if [[ "${1:-}" == "--check" ]]; then
  if cmp -s "$src" "$dst"; then
    echo "sync-crd: chart CRD is up to date"
    exit 0
  fi
  echo "sync-crd: charts/admission/crds/$name differs from config/crd/$name; run hack/sync-crd.sh" >&2
  exit 1
fi

mkdir -p "$(dirname "$dst")"
cp "$src" "$dst"
echo "sync-crd: copied config/crd/$name -> charts/admission/crds/$name"
