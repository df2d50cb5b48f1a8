#!/usr/bin/env bash
# Pagefind comparison (see BENCHMARKS.md, "Search: Pagefind comparison").
# Installs the npm package `pagefind` into a temporary folder (nothing is added to
# the repository), builds the site with target/debug/zhiku unless --site is given,
# indexes it with Pagefind and measures first-query payload and Recall@5 in
# headless Chromium. Extra arguments go to bench/pagefind.mjs
# (--site DIR, --queries TSV, --json FILE, --work DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

version="${PAGEFIND_VERSION:-1.6.0}"
work="$(mktemp -d "${TMPDIR:-/tmp}/zhiku-pagefind.XXXXXX")"
trap 'rm -rf "$work"' EXIT

[ -x target/debug/zhiku ] || cargo build
[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm ci --silent --no-audit --no-fund)
npm install --prefix "$work/npm" --no-save --silent --no-audit --no-fund "pagefind@$version"

node bench/pagefind.mjs --pagefind "$work/npm/node_modules/.bin/pagefind" --work "$work" "$@"
