#!/usr/bin/env bash
# Installs the Debian packages the mail stack tests need (Dovecot IMAP + LMTP, Exim).
# Exim is Debian's "heavy" build: the light one lacks the dovecot authenticator, through
# which the stack's SMTP XOAUTH2 is checked by Dovecot (it replaces the light build).
# Idempotent: returns at once when everything is present. Never starts system services:
# the tests start their own daemons with their own configuration.
set -euo pipefail

packages=(dovecot-imapd dovecot-lmtpd exim4-daemon-heavy)
missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "mail-stack: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "mail-stack: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A package list older than a day (or absent) is refreshed first.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -1)" ]; then
  "${sudo_cmd[@]}" apt-get update -qq
fi
# Maintainer scripts must not start the system daemons. Where no policy-rc.d exists, put
# one in place for the duration of the install; a refusal to start a service is expected.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi
"${sudo_cmd[@]}" env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
