#!/usr/bin/env bash
# Prints the source hash of the search runtime: every file the wasm build
# reads (search-index sources, the build script, cargo config, the patches
# applied to dependencies) plus the exact
# versions of the crates in the wasm dependency tree. Sourced by
# build-runtime.sh and check-runtime.sh so both compute it the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  for f in search-index/Cargo.toml .cargo/config.toml scripts/build-runtime.sh scripts/runtime-hash.sh \
    $(find search-index/src scripts/runtime-patches -type f | LC_ALL=C sort); do
    printf '== %s\n' "$f"
    cat "$f"
  done
  printf '== dependencies\n'
  # Local paths differ between machines; versions are what matter.
  cargo tree -q --locked -p search-index --target wasm32-unknown-unknown -e normal,build \
    --prefix none --no-dedupe | sed 's/ (.*)//' | LC_ALL=C sort -u
} | sha256sum | cut -d' ' -f1
