#!/usr/bin/env bash
# Installs what OnAir needs on a fresh machine: npm packages (from the lockfile) and, with
# --services (the test suite), Debian's ffmpeg for the real publishers of the ingest tests, and
# starts the local PostgreSQL and Redis the tests use when they have stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm packages (npm ci; progress below every few seconds)"
  # npm ci prints nothing until it is done: a heartbeat says it is still working.
  (while sleep 10; do echo "    ... still installing ($(find node_modules -maxdepth 1 -mindepth 1 2>/dev/null | wc -l) packages so far)"; done) &
  heartbeat=$!
  trap 'kill "$heartbeat" 2>/dev/null || true' EXIT
  npm ci --no-audit --no-fund --loglevel=error
  kill "$heartbeat" 2>/dev/null || true
  echo "    npm packages installed"
else
  echo "==> npm packages: up to date"
fi

# apt_install COMMAND PACKAGE...: installs the Debian packages when COMMAND is missing.
apt_install() {
  local command="$1"
  shift
  if command -v "$command" >/dev/null 2>&1; then return 0; fi
  echo "==> installing $* (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "$@" >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

if [ "${1:-}" = "--services" ]; then
  apt_install ffmpeg ffmpeg
  apt_install chromium chromium
  apt_install nginx nginx libnginx-mod-rtmp
  # The optional porn-detection package has its own lockfile: the tests use it, a plain
  # `npm start` does not install it.
  bash scripts/install-moderation.sh
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "==> starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  fi
fi
