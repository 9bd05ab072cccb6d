#!/usr/bin/env bash
# Debian's chromium for the tests that drive the Teams emulator's web UI (playwright-core).
# Idempotent: does nothing when /usr/bin/chromium is already there.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
command -v chromium >/dev/null
