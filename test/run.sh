#!/usr/bin/env bash
# The project's whole test run: type-check, lint, format check, build (some suites spawn the
# built programs), then every jest suite. Installs and starts what the suites need on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash test/support/mail-stack/install.sh
bash test/support/install-poppler.sh
bash test/support/install-chromium.sh
npx tsc -p tsconfig.json --noEmit
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --list-different .; echo 'prettier: run npm run format' >&2; exit 1; }
npm run -s build
# The benches are built apart from the service; they must keep compiling.
npx tsc -p tsconfig.bench.json --noEmit
npx jest "$@"
