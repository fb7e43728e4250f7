#!/bin/sh
# Runs the repo-pinned pnpm (installed into ./.tools by setup.sh) with it on PATH, so turbo finds it too.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH="$ROOT/.tools/bin:$PATH"
export PATH
export TURBO_TELEMETRY_DISABLED=1
exec "$ROOT/.tools/bin/pnpm" "$@"
