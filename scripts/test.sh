#!/usr/bin/env bash
# Runs every test of zhiku. Installs what the tests need first (the wasm target,
# Debian's Chromium, the npm packages of the browser tests); safe to run again.
#
# Every suite runs even when an earlier one fails; the script exits non-zero
# if any failed and names them at the end. The Rust tests build the zhiku
# binary the browser tests use (one build; `cargo build` would compile the
# workspace again with other dependency features).
set -euo pipefail
cd "$(dirname "$0")/.."

failed=()
step() { printf '\n== %s\n' "$*"; }
# Runs a step's command; a failure is recorded and the run goes on.
run() {
  local name=$1
  shift
  step "$name"
  if ! "$@"; then
    failed+=("$name")
    printf '!! %s failed\n' "$name"
  fi
}

step "toolchain and test dependencies"
scripts/install-test-deps.sh

run "formatting" cargo fmt --all -- --check
run "lints" cargo clippy --workspace --all-targets -- -D warnings
run "Rust tests (unit, integration, content, relevance)" cargo test --workspace --no-fail-fast
run "committed search runtime matches its sources" scripts/check-runtime.sh
if [ -x target/debug/zhiku ]; then
  run "browser tests (headless Chromium)" env ZHIKU_BIN="$PWD/target/debug/zhiku" \
    bash -c 'cd tests/browser && npm test'
else
  failed+=("browser tests (no target/debug/zhiku: the Rust tests did not build)")
fi

if [ ${#failed[@]} -gt 0 ]; then
  printf '\n== FAILED:\n'
  printf '  %s\n' "${failed[@]}"
  exit 1
fi
step "all tests passed"
