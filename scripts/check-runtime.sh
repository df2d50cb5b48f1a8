#!/usr/bin/env bash
# Fails when the committed search runtime (themes/default/search-runtime/)
# was built from other sources than the current search-index crate.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=themes/default/search-runtime
for f in zhiku_search_bg.wasm zhiku_search.js zhiku_tools_bg.wasm zhiku_tools.js loader.js SOURCE_HASH; do
  if [ ! -f "$DIR/$f" ]; then
    echo "search runtime incomplete: $DIR/$f is missing; run scripts/build-runtime.sh" >&2
    exit 1
  fi
done
want=$(scripts/runtime-hash.sh)
have=$(tr -d '[:space:]' <"$DIR/SOURCE_HASH")
if [ "$want" != "$have" ]; then
  echo "search runtime is STALE: search-index sources changed since $DIR was built" >&2
  echo "  committed SOURCE_HASH $have" >&2
  echo "  current sources       $want" >&2
  echo "run scripts/build-runtime.sh and commit $DIR" >&2
  exit 1
fi
echo "search runtime matches its sources ($have)"
