#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs, lints, type-checks, runs every package's tests
# (the moderation package's first: the server's porn-detection test loads its build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --services
echo "==> lint (biome)"
npx biome check .
echo "==> lint (layers)"
npm run --silent lint:layers
echo "==> build and type-check (tsc -b)"
npm run build
echo "==> docs: every sh/ts block of README.md and docs/ run against a live OnAir, every name checked"
(cd packages/server && node --test --test-reporter=spec dist/test/docs/*.test.js)
echo "==> tests: @onair/moderation (optional package, own lockfile)"
npm test --prefix packages/moderation
for workspace in @onair/callbacks onair; do
  echo "==> tests: $workspace"
  npm test --workspace "$workspace"
done
