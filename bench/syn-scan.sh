#!/usr/bin/env bash
# Benchmark for the raw SYN scan, side by side in one run (root; installs nmap, masscan, zmap):
#  1. one lab host, full port range: kmap -sS vs nmap -sS -T4, nmap --min-rate 20000, masscan
#     (masscan is cut off after 20 s: here it keeps "waiting" after sending, as FACTS notes)
#  2. a /16 sweep of one port against the AnyIP lab: kmap vs nmap --min-rate 50000, zmap, masscan
# zmap runs with a 1 s cooldown (its default waits 8 s for late replies).
# Prints times, exactness (ports found vs the lab's truth), peak RSS for kmap's sweep, and ratios.
# Packets go only to the lab it creates (10.213.0.11 and 10.214.0.0/16 behind kmq-br0);
# every run first checks that the target routes through that bridge.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
LAB=$ROOT/lab-fixture/src/main/resources/dev/kmap/lab/lab.sh
export KMAP_LAB_PREFIX=kmq KMAP_LAB_NET4=10.213.0 KMAP_LAB_NET6=fd10:213:: KMAP_LAB_ANYIP=10.214.0.0/16 KMAP_LAB_HOSTS=1
export KMAP_LAB_TCP_PORTS="22 80 443 8080 31337 50000 65535" KMAP_LAB_FILTERED_TCP_PORTS="8081 9999"
HOST=10.213.0.11; SWEEP=10.214.0.0/16; SWEEP_PROBE=10.214.1.1; BR=kmq-br0
OPEN="22 80 443 8080 31337 50000 65535"

[[ $(id -u) -eq 0 ]] || { echo "bench: needs root (network namespaces, raw packets)" >&2; exit 2; }
"$ROOT/bin/install-deps" lab nmap pcap >/dev/null
for t in masscan zmap; do command -v $t >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $t >/dev/null; done
trap 'bash "$LAB" down >/dev/null 2>&1; bash "$LAB" release >/dev/null 2>&1 || true' EXIT
bash "$LAB" up >/dev/null
guard() {
  local dev; dev=$(ip -o route get "$1" | grep -o 'dev [^ ]*' | awk '{print $2}')
  [[ $dev == "$BR" ]] || { echo "bench: $1 routes via '$dev', not the lab bridge $BR: refusing to scan" >&2; exit 3; }
}
guard $HOST; guard $SWEEP_PROBE
"$ROOT/bin/kmap" --version >/dev/null            # build + class-data archive outside the timing
lladdr() { ip neigh show "$1" dev $BR | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
MAC=$(lladdr $HOST)
[[ -n $MAC ]] || { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/22" 2>/dev/null || true; MAC=$(lladdr $HOST); }
[[ -n $MAC ]] || { echo "bench: no MAC for $HOST" >&2; exit 3; }
EMPTY=$(mktemp); OUT=$(mktemp -d)

now() { date +%s.%N; }
# run NAME CHECK-TARGET COMMAND...: time one whole process, output in $OUT/NAME.out
run() { local name=$1 target=$2; shift 2; guard "$target"; local t0 t1; t0=$(now); "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || true; t1=$(now); awk "BEGIN{printf \"%.3f\", $t1 - $t0}"; }
open_ports() { grep -oE '[0-9]+/open' "$1" | cut -d/ -f1 | sort -n | tr '\n' ' ' | sed 's/ $//'; }
masscan_ports() { { awk '/^open/{print $3}' "$1" 2>/dev/null || true; } | sort -n | tr '\n' ' ' | sed 's/ $//'; }
verdict() { [[ $1 == "$OPEN" ]] && echo exact || echo "WRONG($1)"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "== one host, full port range ($RUNS runs each)"
declare -A T; declare -A X
for ((i = 1; i <= RUNS; i++)); do
  for tool in nmap-T4 nmap-rate kmap masscan; do
    case $tool in
      nmap-T4) s=$(run $tool $HOST nmap -sS -T4 -p- -Pn -n $HOST -oG -); v=$(verdict "$(open_ports $OUT/$tool.out)") ;;
      nmap-rate) s=$(run $tool $HOST nmap -sS --min-rate 20000 -p- -Pn -n $HOST -oG -); v=$(verdict "$(open_ports $OUT/$tool.out)") ;;
      kmap) s=$(run $tool $HOST "$ROOT/bin/kmap" -sS -T4 -p- -Pn -n $HOST -oG -); v=$(verdict "$(open_ports $OUT/$tool.out)") ;;
      masscan) s=$(run $tool $HOST timeout 20 masscan -p0-65535 $HOST --rate 300000 --wait 1 --adapter $BR --router-mac "$MAC" -oL $OUT/masscan.list)
               v=$(verdict "$(masscan_ports $OUT/masscan.list)") ;;
    esac
    T[$tool]="${T[$tool]:-} $s"; [[ $v == exact ]] && X[$tool]=$(( ${X[$tool]:-0} + 1 ))
    printf '  run %d %-10s %6ss %s\n' "$i" "$tool" "$s" "$v"
  done
done
for tool in nmap-T4 nmap-rate masscan kmap; do
  printf '%-10s median %6ss  exact %d/%d\n' "$tool" "$(median ${T[$tool]})" "${X[$tool]:-0}" "$RUNS"
done
KM=$(median ${T[kmap]}); echo "kmap/nmap-T4 = $(awk "BEGIN{printf \"%.3f\", $KM / $(median ${T[nmap-T4]})}") (target <= 0.35);  kmap/masscan = $(awk "BEGIN{printf \"%.3f\", $KM / $(median ${T[masscan]})}") (target < 1)"

echo "== /16 sweep of port 80 ($SWEEP, 65536 addresses; 3 runs each)"
GW_MAC=$MAC
declare -A S; declare -A F
for ((i = 1; i <= 3; i++)); do
  s=$(run nmap $SWEEP_PROBE nmap -sS -p80 -n -Pn --min-rate 50000 $SWEEP -oG -); f=$(grep -c '80/open' $OUT/nmap.out || true)
  S[nmap]="${S[nmap]:-} $s"; F[nmap]="${F[nmap]:-} $f"; printf '  run %d %-8s %6ss found %s\n' $i nmap "$s" "$f"
  s=$(run zmap $SWEEP_PROBE zmap -p 80 -r 200000 -c 1 -b $EMPTY -i $BR -G "$GW_MAC" -q -o $OUT/zmap.csv $SWEEP); f=$(cat $OUT/zmap.csv 2>/dev/null | wc -l)
  S[zmap]="${S[zmap]:-} $s"; F[zmap]="${F[zmap]:-} $f"; printf '  run %d %-8s %6ss found %s\n' $i zmap "$s" "$f"
  s=$(run masscan $SWEEP_PROBE timeout 20 masscan -p80 $SWEEP --rate 300000 --wait 1 --adapter $BR --router-mac "$GW_MAC" -oL $OUT/msweep.list); f=$(grep -c '^open' $OUT/msweep.list 2>/dev/null || true)
  S[masscan]="${S[masscan]:-} $s"; F[masscan]="${F[masscan]:-} $f"; printf '  run %d %-8s %6ss found %s\n' $i masscan "$s" "$f"
  guard $SWEEP_PROBE
  t0=$(now); /usr/bin/time -f '%M' -o $OUT/rss "$ROOT/bin/kmap" -sS -p80 -n -Pn --open $SWEEP -oG $OUT/ksweep.gnmap >/dev/null 2>&1 || true; t1=$(now)
  s=$(awk "BEGIN{printf \"%.3f\", $t1 - $t0}"); f=$(grep -c '80/open' $OUT/ksweep.gnmap || true)
  S[kmap]="${S[kmap]:-} $s"; F[kmap]="${F[kmap]:-} $f"; printf '  run %d %-8s %6ss found %s peak RSS %s MB\n' $i kmap "$s" "$f" $(( $(cat $OUT/rss) / 1024 ))
done
for tool in nmap zmap masscan kmap; do printf '%-8s median %6ss  found:%s (of 65536)\n' $tool "$(median ${S[$tool]})" "${F[$tool]}"; done
echo "kmap/zmap = $(awk "BEGIN{printf \"%.3f\", $(median ${S[kmap]}) / $(median ${S[zmap]})}") (target < 1, all 65536 found, RSS < 300 MB)"
rm -rf "$OUT" "$EMPTY"
