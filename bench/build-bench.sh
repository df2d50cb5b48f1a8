#!/usr/bin/env bash
# Build benchmark: wall time and peak memory of `zhiku build` (release) for the
# real content and synthetic sites of 1,000 and 10,000 entries.
#
# usage: bench/build-bench.sh [RUNS]   (default 5 runs per site; prints medians)
# PUBLIC_DIR=/dev/shm/zhiku-bench bench/build-bench.sh   writes the built sites
# there instead of bench/out/ (to separate the generator from a slow disk).
# Needs /usr/bin/time (GNU time) and python3. Synthetic sites go to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
OUT=bench/out
PUB="${PUBLIC_DIR:-$OUT}"
mkdir -p "$OUT" "$PUB"

cargo build --release --quiet
BIN=target/release/zhiku

python3 bench/synth.py 1000 "$OUT/synth-1k" >/dev/null
python3 bench/synth.py 10000 "$OUT/synth-10k" >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Elapsed (wall clock) time is h:mm:ss or m:ss.ss; convert to seconds.
to_seconds() { awk -F: '{ s=0; for (i=1;i<=NF;i++) s=s*60+$i; printf "%.3f\n", s }'; }

bench() {
  local name="$1" root="$2"
  local walls=() cpus=() rss=() dest="$PUB/public-$name"
  "$BIN" --root "$root" build --output "$dest" 2>/dev/null # warm the page cache
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -v "$BIN" --root "$root" build --output "$dest" 2>"$OUT/time.txt" >/dev/null
    walls+=("$(grep 'Elapsed (wall clock)' "$OUT/time.txt" | awk '{print $NF}' | to_seconds)")
    cpus+=("$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$OUT/time.txt")")
    rss+=("$(grep 'Maximum resident set size' "$OUT/time.txt" | awk '{print $NF}')")
  done
  local files pages
  files=$(find "$dest" -type f | wc -l)
  pages=$(find "$dest" -name '*.html' | wc -l)
  printf '%-10s %6s pages %6s files | wall median %6.2f s (runs: %s) | CPU user+sys median %5.2f s | peak RSS median %6.1f MB\n' \
    "$name" "$pages" "$files" \
    "$(printf '%s\n' "${walls[@]}" | median)" "${walls[*]}" \
    "$(printf '%s\n' "${cpus[@]}" | median)" \
    "$(printf '%s\n' "${rss[@]}" | median | awk '{print $1/1024}')"
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs "$RUNS" "$BIN --root $root build --output $dest"
  fi
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM"
echo "zhiku $(git rev-parse --short HEAD), $RUNS runs each, output in $PUB"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
bench real .
bench synth-1k "$OUT/synth-1k"
bench synth-10k "$OUT/synth-10k"
