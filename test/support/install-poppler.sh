#!/usr/bin/env bash
# pdftotext and pdftoppm (Debian poppler-utils) for the Cédula tests; does nothing when present.
set -euo pipefail
if command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; then exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq poppler-utils >/dev/null
