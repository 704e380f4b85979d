#!/usr/bin/env bash
# Builds everything and runs every test project. Installs helm into .tools/bin first when it is
# missing, so this is the one command a newcomer needs.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .tools/bin/helm ] && ! command -v helm >/dev/null && [ -f .ci/install-helm.sh ]; then
  bash .ci/install-helm.sh
fi
export PATH="$PWD/.tools/bin:$PATH"
dotnet build Admission.sln -c Release --nologo -v q
dotnet test Admission.sln -c Release --no-build --nologo "$@"
