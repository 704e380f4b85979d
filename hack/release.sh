#!/usr/bin/env bash
# Builds a release: for each OS and architecture one self-contained, single-file `admission`
# and `kubectl-change` (no .NET needed where they run), as dist/<name>-<rid>.tar.gz, and writes
# each plugin archive's sha256 and RELEASE_URL into plugins/change.yaml for krew.
#
#   RELEASE_URL=https://example.com/admission/releases/v0.1.0 bash hack/release.sh [RID ...]
set -euo pipefail
cd "$(dirname "$0")/.."
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64 osx-x64 osx-arm64 win-x64)
url=${RELEASE_URL:-}
mkdir -p dist
for rid in "${rids[@]}"; do
  for project in Operator Plugin; do
    out="dist/$project-$rid"
    dotnet publish "src/$project" -c Release -r "$rid" --self-contained \
      -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -o "$out" --nologo -v q
    rm -f "$out"/*.pdb
  done
  exe=""; [[ $rid == win-* ]] && exe=".exe"
  tar -czf "dist/admission-$rid.tar.gz" -C "dist/Operator-$rid" "admission$exe"
  tar -czf "dist/kubectl-change-$rid.tar.gz" -C "dist/Plugin-$rid" "kubectl-change$exe"
  sum=$(sha256sum "dist/kubectl-change-$rid.tar.gz" | cut -d' ' -f1)
  # The manifest's entry for this archive: its uri line, then its sha256 line.
  sed -i -E "/kubectl-change-$rid\.tar\.gz/{n;s/sha256: \"[0-9a-f]{64}\"/sha256: \"$sum\"/}" plugins/change.yaml
  if [ -n "$url" ]; then
    sed -i -E "s#uri: .*/kubectl-change-$rid\.tar\.gz#uri: $url/kubectl-change-$rid.tar.gz#" plugins/change.yaml
  fi
  echo "dist/admission-$rid.tar.gz dist/kubectl-change-$rid.tar.gz ($sum)"
done
