#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks: rustfmt and clippy,
# the wasm target, Debian's Chromium (for the browser tests) and the npm
# packages of tests/browser. Safe to run again; does nothing already done.
# As root it calls apt-get directly, otherwise through sudo.
# CHROMIUM names the browser to look for (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "installing Debian's chromium for the browser tests"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  # `env` carries the variable through sudo, and keeps it a variable when
  # $SUDO is empty (a bare `VAR=value` would become the command name).
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

(cd tests/browser && npm ci --silent --no-audit --no-fund)
