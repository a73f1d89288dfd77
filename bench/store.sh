#!/usr/bin/env bash
# Benchmark: what recording a scan in the store costs (issue: at most +10% wall time), side by side
# in one run (root): the same kmap scan with --no-store, with the default SQLite store (a file that
# keeps growing over the runs, as ~/.kmap/kmap.db does) and with a PostgreSQL store (a throwaway
# cluster on 127.0.0.1, Debian's postgresql package):
#  1. one lab host, full port range: kmap -sS -T4 -p- (65535 port rows per run)
#  2. a /16 sweep of port 80 over the AnyIP lab (65536 host rows and port rows per run)
# Prints the machine (cores, load), medians, and the ratios store/no-store. Packets go only to the
# lab it creates (10.253.0.11 and 10.228.0.0/16 behind kdb-br0); each run first checks the route.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
LAB=$ROOT/lab-fixture/src/main/resources/dev/kmap/lab/lab.sh
export KMAP_LAB_PREFIX=kdb KMAP_LAB_NET4=10.253.0 KMAP_LAB_NET6=fd10:253:: KMAP_LAB_ANYIP=10.228.0.0/16 KMAP_LAB_HOSTS=1
export KMAP_LAB_TCP_PORTS="22 80 443 8080" KMAP_LAB_FILTERED_TCP_PORTS="8081"
HOST=10.253.0.11; SWEEP=10.228.0.0/16; SWEEP_PROBE=10.228.1.1; BR=kdb-br0

[[ $(id -u) -eq 0 ]] || { echo "bench: needs root (network namespaces, raw packets, a postgres cluster)" >&2; exit 2; }
"$ROOT/bin/install-deps" lab pcap services >/dev/null
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d /tmp/kmap-bench-store.XXXXXX); chown postgres "$WORK"
cleanup() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  bash "$LAB" down >/dev/null 2>&1 || true
  bash "$LAB" release >/dev/null 2>&1 || true # the unreachable routes lab.sh keeps from up to release
  rm -rf "$WORK"
}
trap cleanup EXIT
bash "$LAB" up >/dev/null
guard() {
  local dev; dev=$(ip -o route get "$1" | grep -o 'dev [^ ]*' | awk '{print $2}')
  [[ $dev == "$BR" ]] || { echo "bench: $1 routes via '$dev', not the lab bridge $BR: refusing to scan" >&2; exit 3; }
}
guard $HOST; guard $SWEEP_PROBE
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" -A trust -U kmap --no-sync -E UTF8 --locale=C >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
SQLITE="$WORK/kmap.db"; PG="jdbc:postgresql://127.0.0.1:$PORT/postgres?user=kmap"
"$ROOT/bin/kmap" --version >/dev/null            # build + class-data archive outside the timing

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem/{print $2}') GB, load $(cut -d' ' -f1-3 /proc/loadavg); $(uname -r)"
now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# timed TARGET COMMAND...: seconds of one whole process
timed() { local target=$1; shift; guard "$target"; local t0 t1; t0=$(now); "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }; t1=$(now); awk "BEGIN{printf \"%.3f\", $t1 - $t0}"; }

bench() { # bench TITLE TARGET ARGS...
  local title=$1 target=$2; shift 2
  echo "== $title ($RUNS runs each, interleaved)"
  declare -A T=()
  for ((i = 1; i <= RUNS; i++)); do
    for v in no-store sqlite postgresql; do
      case $v in
        no-store) s=$(timed "$target" "$ROOT/bin/kmap" "$@" --no-store) ;;
        sqlite) s=$(timed "$target" "$ROOT/bin/kmap" "$@" --store "$SQLITE") ;;
        postgresql) s=$(timed "$target" "$ROOT/bin/kmap" "$@" --store "$PG") ;;
      esac
      T[$v]="${T[$v]:-} $s"; printf '  run %d %-11s %6ss\n' "$i" "$v" "$s"
    done
  done
  local base; base=$(median ${T[no-store]})
  for v in no-store sqlite postgresql; do
    printf '%-11s median %6ss  ratio %.3f\n' "$v" "$(median ${T[$v]})" "$(awk "BEGIN{print $(median ${T[$v]}) / $base}")"
  done
  echo "(target: sqlite and postgresql ratios <= 1.10)"
}

bench "one host, full port range: kmap -sS -T4 -p-" $HOST -sS -T4 -p- -Pn -n $HOST -oG /dev/null
bench "/16 sweep of port 80: kmap -sS -p80" $SWEEP_PROBE -sS -p80 -Pn -n $SWEEP -oG /dev/null
echo "== stored (each variant's last scan)"
"$ROOT/bin/kmap" history --store "$SQLITE" -n 2
"$ROOT/bin/kmap" history --store "$PG" -n 2
