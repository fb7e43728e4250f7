#!/bin/sh
# One-shot setup for a fresh clone: pinned pnpm into ./.tools, frozen install, build.
set -eu
cd "$(dirname "$0")/.."
PNPM_VERSION=12.4.2
if [ ! -x .tools/bin/pnpm ] || [ "$(.tools/bin/pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION into ./.tools"
  npm i -g --prefix .tools "pnpm@$PNPM_VERSION" --no-audit --no-fund --loglevel=error
fi
sh scripts/pnpm.sh install --frozen-lockfile --reporter=append-only
sh scripts/pnpm.sh exec turbo run build --output-logs=errors-only
