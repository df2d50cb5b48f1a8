#!/usr/bin/env bash
# Search benchmark: first-result payload of the built site (raw, gzip -9,
# brotli -q 11; bench/payload.mjs, which also reports the text shards the
# snippets of the top hits need), index load time and query latency native (release) and in
# wasm (Node, the committed runtime), for the real content and a synthetic
# 10,000-document site. Results go to stdout; see BENCHMARKS.md "Search".
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/search-bench
mkdir -p "$OUT"
Q=(tests/data/public-queries.tsv tests/data/colloquial-queries.tsv tests/data/typed-queries.tsv)

cargo build -q
cargo build -q --release --example search_bench
rm -rf "$OUT/site"
target/debug/zhiku build --output "$OUT/site" >/dev/null 2>&1

size() { # file → raw gzip brotli
  printf '%s %s %s' "$(wc -c <"$1")" "$(gzip -9c "$1" | wc -c)" "$(brotli -c -q 11 "$1" | wc -c)"
}
echo "== payload before the first result (real site)"
node bench/payload.mjs "$OUT/site" "${Q[@]}"

for run in real synthetic; do
  rm -rf "${OUT:?}/$run"
  args=(--out "$OUT/$run")
  [ "$run" = synthetic ] && args+=(--synthetic 10000)
  echo "== $run: native (release)"
  target/release/examples/search_bench "${args[@]}" "${Q[@]}" | grep -v '^  '
  read -r raw gz br <<<"$(size "$OUT/$run/hot.bin")"
  echo "hot file raw $raw gzip $gz brotli $br"
  echo "== $run: wasm (Node $(node --version))"
  node bench/search_wasm.mjs "$OUT/$run" "${Q[@]}"
done
