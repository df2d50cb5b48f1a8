#!/usr/bin/env bash
# Pagefind comparison (see BENCHMARKS.md, "Search: Pagefind comparison").
# Installs the npm package `pagefind` into a temporary folder (nothing is added to
# the repository), builds the site with target/debug/zhiku unless --site is given,
# indexes it with Pagefind and measures first-query payload, Recall@5 and the
# cold answer time in headless Chromium. `--synthetic N` (first argument)
# measures an N-entry site made by bench/synth.py instead of content/.
# Other arguments go to bench/pagefind.mjs
# (--site DIR, --queries TSV, --colloquial N, --timed N, --json FILE, --work DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

version="${PAGEFIND_VERSION:-1.6.0}"
work="$(mktemp -d "${TMPDIR:-/tmp}/zhiku-pagefind.XXXXXX")"
trap 'rm -rf "$work"' EXIT

[ -x target/debug/zhiku ] || cargo build
[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm ci --silent --no-audit --no-fund)
npm install --prefix "$work/npm" --no-save --silent --no-audit --no-fund "pagefind@$version"

extra=()
if [ "${1:-}" = --synthetic ]; then
  python3 bench/synth.py "$2" "$work/synth" --repo "$PWD" >/dev/null
  target/debug/zhiku --root "$work/synth" build --output "$work/synth-public" >/dev/null
  extra=(--site "$work/synth-public")
  shift 2
fi
node bench/pagefind.mjs --pagefind "$work/npm/node_modules/.bin/pagefind" --work "$work" "${extra[@]}" "$@"
