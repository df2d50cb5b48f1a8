#!/usr/bin/env bash
# Rebuilds the committed browser runtime (search and checker modules) under
# themes/default/search-runtime/ from the search-index crate:
# cargo (wasm32, size-optimised) → wasm-bindgen (--target web) → wasm-opt.
# Then stamps SOURCE_HASH, which scripts/check-runtime.sh verifies.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=themes/default/search-runtime
TARGET=${CARGO_TARGET_DIR:-target}

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
# The versions of the wasm build's dependencies, read once.
DEPS=$(cargo tree -q --locked -p search-index --target wasm32-unknown-unknown -e normal --prefix none)
version_of() { sed -n "s/^$1 v\([0-9.]*\).*/\1/p" <<<"$DEPS" | head -n1; }
# wasm-bindgen-cli must match the wasm-bindgen crate exactly.
WBG_VERSION=$(version_of wasm-bindgen)
if [ -z "$WBG_VERSION" ]; then echo "wasm-bindgen not found in search-index's dependencies" >&2; exit 1; fi
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | cut -d' ' -f2)" != "$WBG_VERSION" ]; then
  echo "installing wasm-bindgen-cli $WBG_VERSION" >&2
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi

# tantivy with the patches in scripts/runtime-patches/ (size only; each patch
# says why zhiku's behaviour stays the same), copied from cargo's registry into
# target/ for this build.
cargo fetch -q --locked
TANTIVY_VERSION=$(version_of tantivy)
TANTIVY_SRC=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"tantivy-$TANTIVY_VERSION" | head -n1)
PATCHED=$TARGET/runtime-patched/tantivy-$TANTIVY_VERSION
rm -rf "$PATCHED"
mkdir -p "$(dirname "$PATCHED")"
cp -r "$TANTIVY_SRC" "$PATCHED"
for p in scripts/runtime-patches/tantivy-*.patch; do
  patch -s -p1 -d "$PATCHED" <"$p"
done
# Patching rewrites Cargo.lock's tantivy entry; the committed lock file stays as it is.
TMP=$(mktemp -d)
cp Cargo.lock "$TMP/Cargo.lock"
trap 'cp "$TMP/Cargo.lock" Cargo.lock; rm -rf "$TMP"' EXIT

# wasm-opt from binaryen >= 116 (older releases corrupt wasm-bindgen's externref
# table). Debian's binaryen is too old; `npm i -g binaryen` has a current one.
# Override with WASM_OPT=/path/to/wasm-opt.
WASM_OPT=${WASM_OPT:-$(command -v wasm-opt || true)}
opt_version=0
if [ -n "$WASM_OPT" ]; then
  opt_version=$("$WASM_OPT" --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
fi
if [ "${opt_version:-0}" -lt 116 ]; then
  echo "no wasm-opt >= 116 found (set WASM_OPT or npm i -g binaryen); keeping unoptimised modules" >&2
fi

# Two modules from the crate: zhiku_search (index, queries) and zhiku_tools
# (the rule checkers, feature tools-runtime), so a search never downloads the
# checkers and a checker page never downloads tantivy.
build_module() {
  local name=$1
  shift
  # A cdylib only for this build; size over speed: the browser downloads it.
  # bitpacking with debug assertions selects its compact loop-based unpacker
  # (the one its own tests check the unrolled one against): ~70 KB gzip less.
  # (No `strip`: wasm-bindgen reads the target_features section; wasm-opt strips later.)
  # Panics abort in the browser, so their source locations are dropped (a -Z
  # flag of the stable compiler, enabled by RUSTC_BOOTSTRAP for this build
  # only): 6 KB gzip less. (-Zfmt-debug=none saved 9 KB more but blanks `{:?}`
  # in error messages users see.)
  RUSTC_BOOTSTRAP=1 cargo rustc -q -p search-index --lib --target wasm32-unknown-unknown --release --crate-type cdylib "$@" \
    --config 'target.wasm32-unknown-unknown.rustflags=["-Zlocation-detail=none"]' \
    --config 'profile.release.opt-level="z"' --config 'profile.release.lto=true' \
    --config 'profile.release.codegen-units=1' --config 'profile.release.panic="abort"' \
    --config 'profile.release.package.bitpacking.debug-assertions=true' \
    --config "patch.crates-io.tantivy.path=\"$PATCHED\""
  cp "$TMP/Cargo.lock" Cargo.lock
  wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir "$TMP" \
    "$TARGET"/wasm32-unknown-unknown/release/search_index.wasm
  if [ "${opt_version:-0}" -ge 116 ]; then
    # Only the features Rust's wasm32 target emits.
    "$WASM_OPT" -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
      --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
      --strip-debug --strip-producers "$TMP/${name}_bg.wasm" -o "$TMP/opt.wasm"
    mv "$TMP/opt.wasm" "$TMP/${name}_bg.wasm"
  fi
}
# patched-tantivy: the search module reads meta.json through the patched
# tantivy's META_READER (search-index/src/meta).
build_module zhiku_search --features patched-tantivy
build_module zhiku_tools --features tools-runtime

mkdir -p "$OUT"
cp "$TMP"/zhiku_search_bg.wasm "$TMP"/zhiku_search.js "$TMP"/zhiku_tools_bg.wasm "$TMP"/zhiku_tools.js "$OUT/"
hash=$(scripts/runtime-hash.sh)
echo "$hash" >"$OUT/SOURCE_HASH"
echo "runtime written to $OUT (search $(wc -c <"$OUT/zhiku_search_bg.wasm") bytes, tools $(wc -c <"$OUT/zhiku_tools_bg.wasm") bytes wasm), SOURCE_HASH $hash"
