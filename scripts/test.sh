#!/usr/bin/env bash
# Runs every test of zhiku. Installs what the tests need first (the wasm target,
# Debian's Chromium, the npm packages of the browser tests); safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain and test dependencies"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd tests/browser && npm ci --silent --no-audit --no-fund)

step "formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "Rust tests (unit, integration, content, relevance)"
cargo test --workspace

step "committed search runtime matches its sources"
if [ -x scripts/check-runtime.sh ]; then scripts/check-runtime.sh; fi

step "browser tests (headless Chromium)"
cargo build
(cd tests/browser && npm test)

step "all tests passed"
