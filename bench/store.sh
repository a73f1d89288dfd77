#!/usr/bin/env bash
# What recording a scan in the store costs (target: at most +10% wall time), side by side in one
# invocation (root): the same kmap scan with --no-store, with the default SQLite store (a file that
# keeps growing over the runs, as ~/.kmap/kmap.db does) and with a PostgreSQL store (a throwaway
# cluster on 127.0.0.1, Debian's postgresql package), runs interleaved, medians of RUNS (default 5),
# wall time and user+system CPU, the machine's limit line first:
#  1. one lab host, full port range: kmap -sS -T4 -p- (65535 port rows per run)
#  2. a /16 sweep of port 80 over the AnyIP lab (65536 host rows and port rows per run)
# Lab: prefix kdb, 10.253.0.11 and 10.228.0.0/16 behind kdb-br0 (every scan checks that route first).
# KMAP_BEFORE=/other/bin/kmap (bench/lib.sh) runs that build's three variants too, interleaved, into
# stores of its own (an SQLite file and a PostgreSQL database "before"), with the ratios after/before.
set -euo pipefail
export KMAP_LAB_PREFIX=kdb KMAP_LAB_NET4=10.253.0 KMAP_LAB_NET6=fd10:253:: KMAP_LAB_ANYIP=10.228.0.0/16 KMAP_LAB_HOSTS=1
export KMAP_LAB_TCP_PORTS="22 80 443 8080" KMAP_LAB_FILTERED_TCP_PORTS="8081"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HOST=10.253.0.11; SWEEP=10.228.0.0/16; SWEEP_PROBE=10.228.1.1
OPEN="22 80 443 8080"

"$ROOT/bin/install-deps" lab pcap services bench >/dev/null
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDIR=$(mktemp -d /tmp/kmap-bench-pg.XXXXXX); chown postgres "$PGDIR"
cleanup_pg() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
  cleanup
}
trap cleanup_pg EXIT
lab_up
guard $HOST; guard $SWEEP_PROBE
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/pg" -A trust -U kmap --no-sync -E UTF8 --locale=C >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/pg" -l "$PGDIR/pg.log" -w -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1" start >/dev/null
SQLITE="$OUT/kmap.db"; PG="jdbc:postgresql://127.0.0.1:$PORT/postgres?user=kmap"
VARIANTS=(no-store sqlite postgresql)
if [[ -n $BEFORE ]]; then
  runuser -u postgres -- "$PGBIN/createdb" -h "$PGDIR" -p "$PORT" -U kmap before
  VARIANTS+=(before-no-store before-sqlite before-postgresql)
fi
machine_limit $HOST -sS

# bench TITLE TARGET CHECK ARGS...: the three variants interleaved; CHECK NAME tells an exact run
bench() {
  local title=$1 target=$2 check=$3; shift 3
  echo "== $title ($RUNS runs each, interleaved)"
  for ((RUN = 1; RUN <= RUNS; RUN++)); do
    for v in "${VARIANTS[@]}"; do
      case $v in
        no-store) measure "$title-$v" "$target" "$KMAP" "$@" --no-store ;;
        sqlite) measure "$title-$v" "$target" "$KMAP" "$@" --store "$SQLITE" ;;
        postgresql) measure "$title-$v" "$target" "$KMAP" "$@" --store "$PG" ;;
        before-no-store) measure "$title-$v" "$target" "$BEFORE" "$@" --no-store ;;
        before-sqlite) measure "$title-$v" "$target" "$BEFORE" "$@" --store "$OUT/before.db" ;;
        before-postgresql) measure "$title-$v" "$target" "$BEFORE" "$@" --store "${PG/\/postgres?//before?}" ;;
      esac
      if $check "$title-$v"; then exact "$title-$v"; run_line "$title-$v" exact; else run_line "$title-$v" "WRONG: $(head -c 300 "$OUT/$title-$v.err")"; fi
    done
  done
  report "${VARIANTS[@]/#/$title-}"
  ratio "$title-sqlite" "$title-no-store" "<= 1.10"
  ratio "$title-postgresql" "$title-no-store" "<= 1.10"
  if [[ -n $BEFORE ]]; then
    ratio "$title-before-sqlite" "$title-before-no-store" "<= 1.10"
    ratio "$title-before-postgresql" "$title-before-no-store" "<= 1.10"
    for v in no-store sqlite postgresql; do ratio "$title-$v" "$title-before-$v"; done
  fi
}
host_exact() { [[ $(open_ports "$OUT/$1.out") == "$OPEN" ]]; }
sweep_exact() { [[ $(grep -c '80/open' "$OUT/$1.out" || true) == 65536 ]]; }

bench host $HOST host_exact -sS -T4 -p- -Pn -n $HOST -oG -
bench sweep $SWEEP_PROBE sweep_exact -sS -p80 -Pn -n --open $SWEEP -oG -
echo "== stored (each store's last two scans)"
"$KMAP" history --store "$SQLITE" -n 2
"$KMAP" history --store "$PG" -n 2
