#!/usr/bin/env bash
# Installs the optional porn-detection package (nsfwjs, ~370 MB, its own lockfile), builds it and
# links it as node_modules/@onair/moderation: the server imports it by that name, as an optional
# peer dependency that a plain `npm ci` leaves out.
set -euo pipefail
cd "$(dirname "$0")/.."
# A root `npm install` prunes packages/moderation/node_modules (it is not a workspace), so a
# missing nsfwjs also means "install again".
if [ ! -d packages/moderation/node_modules/nsfwjs ] ||
  [ packages/moderation/package-lock.json -nt packages/moderation/node_modules/.package-lock.json ]; then
  echo "==> installing the optional moderation package (npm ci --prefix packages/moderation)"
  npm ci --prefix packages/moderation --no-audit --no-fund --loglevel=error
fi
npm run build --prefix packages/moderation --silent
mkdir -p node_modules/@onair
ln -sfn ../../packages/moderation node_modules/@onair/moderation
