#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs, lints, type-checks, runs every package's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --services
echo "==> lint (biome)"
npx biome check .
echo "==> build and type-check (tsc -b)"
npm run build
for workspace in @onair/callbacks onair; do
  echo "==> tests: $workspace"
  npm test --workspace "$workspace"
done
