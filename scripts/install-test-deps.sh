#!/usr/bin/env bash
# Installs what the end-to-end tests need from Debian's archive when it is missing:
# Prometheus and Alertmanager (real webhooks) and Chromium (real browser). Nothing is
# downloaded from anywhere else. Needs root (or sudo) only when something is missing.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ] || [ -x "/usr/sbin/$1" ]; }

missing=()
have prometheus || missing+=(prometheus)
{ have prometheus-alertmanager || have alertmanager; } || missing+=(prometheus-alertmanager)
have chromium || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies present: prometheus, alertmanager, chromium" >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "missing ${missing[*]}: run as root or install them with apt-get" >&2; exit 1
  fi
fi

echo "installing from Debian: ${missing[*]}" >&2
# The packages try to start their services on install; there is no init system in
# containers/CI, so block service starts for the duration of the install.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}" >&2
