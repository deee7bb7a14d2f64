#!/usr/bin/env bash
# Runs OnAir on this machine: embedded SQLite in ./data, RTMP on 1935, HTTP API and dashboard on 8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npm run build --silent
exec node packages/server/bin/onair.js start "$@"
