# bench/lib.sh - what every kmap benchmark shares (sourced, not run).
#
#   lab_up / lab_down builds / removes the bench's lab (KMAP_LAB_* set by the caller); while it is
#                     up, `unreachable` routes for its address blocks stay in the root namespace, so
#                     a scan of a lab address with the lab down fails on the spot; all goes at exit
#   guard ADDR        refuses (exit 3) unless `ip -o route get ADDR` names the lab bridge
#   measure NAME TARGET CMD...
#                     runs CMD once as a whole process (bounded by `timeout`), output in
#                     $OUT/NAME.out; appends wall and user+system CPU seconds and peak RSS (MB)
#                     to the NAME series; TARGET `-` for a command that sends nothing (reads a file)
#   median NAME wall|cpu|rss
#   machine_limit HOST SCAN
#                     the kernel's pace on this machine: kmap's probe loop at --min-rate 1000000
#                     (far above what the kernel carries) over 65535 ports minus over 1 port
#   report NAME...    one line per NAME: median wall, median CPU, exact runs
#   ratio A B         median wall and CPU of A over B
#   warm_ready        starts (if none) and waits for the bench's own warm kmap process (KMAP_WARM=1
#                     in $OUT/run, killed at exit), outside the timing: ${KMAP_WARM_RUN[@]} runs kmap through it.
#                     CPU figures of warm runs are the client's only (the warm process is not its child)
#
# KMAP_BEFORE=/other/checkout/bin/kmap adds another build of kmap (the commit before a change) as a
# peer named kmap-before, run in the same invocation, with the ratio after/before. It records into
# a store of its own (an older kmap refuses a store a newer one has migrated).
#
# Numbers vary up to 3x between machines of one kind: compare only ratios of one invocation.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
LAB=$ROOT/lab-fixture/src/main/resources/dev/kmap/lab/lab.sh
KMAP=$ROOT/bin/kmap
unset KMAP_WARM # the kmap rows are new JVMs; the kmap-warm rows say so
BEFORE=${KMAP_BEFORE:-}
RUN_TIMEOUT=${RUN_TIMEOUT:-120} # seconds: no single run goes on longer
BR=${KMAP_LAB_PREFIX}-br0
OUT=$(mktemp -d /tmp/kmap-bench.XXXXXX)
declare -A WALL CPU RSS EXACT
if [[ -n $BEFORE ]]; then
  printf '#!/bin/sh\nKMAP_STORE=jdbc:sqlite:%s/before-store.db exec %q "$@"\n' "$OUT" "$BEFORE" >"$OUT/kmap-before"
  chmod +x "$OUT/kmap-before"
  BEFORE=$OUT/kmap-before
fi

[[ $(id -u) -eq 0 ]] || { echo "bench: needs root (network namespaces, raw packets)" >&2; exit 2; }

# lab.sh keeps `unreachable` routes for the lab's blocks from `up` until `release`
lab_down() {
  bash "$LAB" down >/dev/null 2>&1 || true
  bash "$LAB" release >/dev/null 2>&1 || true
}
cleanup() {
  pkill -f "kmap.warm.dir=$OUT/run" 2>/dev/null || true
  lab_down
  rm -rf "$OUT"
}
trap cleanup EXIT

lab_up() {
  bash "$LAB" up >/dev/null
  "$KMAP" --version >/dev/null # build and class-data archive outside the timing
  [[ -z $BEFORE ]] || "$BEFORE" --version >/dev/null
}

guard() {
  local dev; dev=$(ip -o route get "$1" 2>/dev/null | grep -o 'dev [^ ]*' | awk '{print $2}')
  [[ $dev == "$BR" ]] || { echo "bench: $1 routes via '${dev:-nothing}', not the lab bridge $BR: refusing to scan" >&2; exit 3; }
}

# kmap through a warm process (bin/kmap's KMAP_WARM=1) of the bench's own
KMAP_WARM_RUN=(env KMAP_WARM=1 "XDG_RUNTIME_DIR=$OUT/run" "$KMAP")
warm_ready() {
  local i
  mkdir -p -m 700 "$OUT/run"
  pgrep -f "kmap.warm.dir=$OUT/run" >/dev/null || "${KMAP_WARM_RUN[@]}" --version >/dev/null
  for ((i = 0; i < 600; i++)); do
    compgen -G "$OUT/run/kmap-warm-*/*.sock" >/dev/null && return 0
    sleep 0.1
  done
  echo "bench: no warm kmap process came up in 60 s" >&2; exit 3
}

now() { date +%s.%N; }

measure() {
  local name=$1 target=$2; shift 2
  [[ $target == - ]] || guard "$target"
  local t0 t1
  t0=$(now)
  /usr/bin/time -f '%U %S %M' -o "$OUT/$name.time" timeout -k 2 "$RUN_TIMEOUT" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || true
  t1=$(now)
  LAST_WALL=$(awk "BEGIN{printf \"%.3f\", $t1 - $t0}")
  LAST_CPU=$(tail -1 "$OUT/$name.time" | awk '{printf "%.3f", $1 + $2}')
  WALL[$name]="${WALL[$name]:-} $LAST_WALL"
  CPU[$name]="${CPU[$name]:-} $LAST_CPU"
  RSS[$name]="${RSS[$name]:-} $(tail -1 "$OUT/$name.time" | awk '{printf "%d", $3 / 1024}')"
}

# exact NAME: counts one exact run of NAME
exact() { EXACT[$1]=$((${EXACT[$1]:-0} + 1)); }

median_of() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
median() { case $2 in wall) median_of ${WALL[$1]:-} ;; rss) median_of ${RSS[$1]:-} ;; *) median_of ${CPU[$1]:-} ;; esac; }

machine_limit() {
  local host=$1 scan=$2 i one full
  for ((i = 1; i <= 3; i++)); do
    measure limit-1 "$host" "$KMAP" "$scan" -Pn -n -p1 --min-rate 1000000 "$host"
    measure limit-all "$host" "$KMAP" "$scan" -Pn -n -p- --min-rate 1000000 "$host"
  done
  one=$(median limit-1 wall); full=$(median limit-all wall)
  LIMIT_PPS=$(awk "BEGIN{d = $full - $one; printf \"%d\", (d > 0 ? 65534 / d : 0)}")
  printf 'machine limit: %s probe/reply pairs per second (kmap %s at --min-rate 1000000: 65535 ports %.3f s, 1 port %.3f s, medians of 3)\n' \
    "$LIMIT_PPS" "$scan" "$full" "$one"
}

report() {
  local n
  for n in "$@"; do
    printf '  %-22s median %7.3f s  CPU %7.3f s  exact %s/%s\n' "$n" "$(median "$n" wall)" "$(median "$n" cpu)" "${EXACT[$n]:-0}" "$RUNS"
  done
}

# ratio_time A B [TARGET]: median wall time of A over B only (A's CPU is not all measured: warm runs)
ratio_time() {
  awk -v a="$(median "$1" wall)" -v b="$(median "$2" wall)" -v n1="$1" -v n2="$2" -v t="${3:-}" \
    'BEGIN { printf "  %s / %s: time %.3f%s\n", n1, n2, (b > 0 ? a / b : 0), (t == "" ? "" : "  (target: " t ")") }'
}

ratio() {
  awk -v a="$(median "$1" wall)" -v b="$(median "$2" wall)" -v c="$(median "$1" cpu)" -v d="$(median "$2" cpu)" -v n1="$1" -v n2="$2" -v t="${3:-}" \
    'BEGIN { printf "  %s / %s: time %.3f  CPU %.3f%s\n", n1, n2, (b > 0 ? a / b : 0), (d > 0 ? c / d : 0), (t == "" ? "" : "  (target: " t ")") }'
}

# run_line NAME STATUS: one line per run, with NAME's latest figures
run_line() {
  local w c; w=${WALL[$1]##* }; c=${CPU[$1]##* }
  printf '  run %d %-22s %7.3f s  CPU %7.3f s  %s\n' "$RUN" "$1" "$w" "$c" "$2"
}

# open ports in nmap/kmap grepable (-oG) output, space separated
# (none, or no file: empty, never a failure that would end the bench)
open_ports() { { grep -oE '[0-9]+/open/' "$1" 2>/dev/null || true; } | cut -d/ -f1 | sort -n | tr '\n' ' ' | sed 's/ $//'; }
