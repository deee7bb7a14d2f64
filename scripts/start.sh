#!/usr/bin/env bash
# Runs OnAir on this machine: embedded SQLite in ./data, RTMP on 1935, HTTP API and dashboard on 8080.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
echo "==> OnAir: checking what this machine needs (first run: npm ci, about a minute)"
bash scripts/ensure-deps.sh
echo "==> building (tsc -b and the dashboard)"
npm run build --silent
echo "==> ready in $((SECONDS - started)) s: starting OnAir (Ctrl-C stops it)"
# Run as a command, so the node flags of its first line apply (docs/scale.md).
exec packages/server/bin/onair.js start "$@"
