#!/usr/bin/env bash
# Raw SYN scan benchmark, every peer side by side in one invocation (root; installs its peers
# with bin/install-deps bench). Medians of RUNS (default 5); wall time and user+system CPU of each
# whole process; ratios against the peers; the machine's limit line first.
#  1. one lab host, all 65535 ports: kmap -sS vs nmap -sS -T4, nmap --min-rate 20000, masscan
#     (masscan is cut off at 20 s: it keeps "waiting" after sending here)
#  2. start-up: a one-port raw scan of the host, kmap vs nmap, whole process
#  1 and 2 also run kmap through a warm process (KMAP_WARM=1, readied before each run, outside the
#  timing; kmap-warm rows: wall time, and the client's CPU only)
#  3. a /16 sweep of port 80 over AnyIP (65536 live addresses): kmap vs zmap -c 1, nmap --min-rate 50000
# PARTS names the parts to run (default "host startup sweep"), e.g. PARTS=sweep for the sweep only.
# Lab: prefix knc, 10.242.0.11 and 10.226.0.0/16 behind knc-br0 (every scan checks that route first).
set -euo pipefail
export KMAP_LAB_PREFIX=knc KMAP_LAB_NET4=10.242.0 KMAP_LAB_NET6=fd10:242:: KMAP_LAB_ANYIP=10.226.0.0/16 KMAP_LAB_HOSTS=1
export KMAP_LAB_TCP_PORTS="22 80 443 8080 31337 50000 65535" KMAP_LAB_FILTERED_TCP_PORTS="8081 9999"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HOST=10.242.0.11; SWEEP=10.226.0.0/16; SWEEP_PROBE=10.226.1.1
OPEN="22 80 443 8080 31337 50000 65535"
PARTS=" ${PARTS:-host startup sweep} "
want() { [[ $PARTS == *" $1 "* ]]; }

"$ROOT/bin/install-deps" lab pcap bench >/dev/null
lab_up
guard $HOST; guard $SWEEP_PROBE
lladdr() { ip neigh show "$1" dev "$BR" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
MAC=$(lladdr $HOST)
[[ -n $MAC ]] || { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/22" 2>/dev/null || true; MAC=$(lladdr $HOST); }
[[ -n $MAC ]] || { echo "bench: no MAC for $HOST" >&2; exit 3; }
EMPTY=$OUT/empty-blocklist; : >"$EMPTY"

machine_limit $HOST -sS
masscan_ports() { { awk '/^open/{print $3}' "$1" 2>/dev/null || true; } | sort -n | tr '\n' ' ' | sed 's/ $//'; }

if want host; then
echo "== one host, full port range ($RUNS runs)"
for ((RUN = 1; RUN <= RUNS; RUN++)); do
  for tool in nmap-T4 nmap-rate20k kmap kmap-warm masscan ${BEFORE:+kmap-before}; do
    [[ $tool != kmap-warm ]] || warm_ready
    case $tool in
      nmap-T4) measure $tool $HOST nmap -sS -T4 -p- -Pn -n $HOST -oG - ; got=$(open_ports "$OUT/$tool.out") ;;
      nmap-rate20k) measure $tool $HOST nmap -sS --min-rate 20000 -p- -Pn -n $HOST -oG - ; got=$(open_ports "$OUT/$tool.out") ;;
      kmap) measure $tool $HOST "$KMAP" -sS -T4 -p- -Pn -n $HOST -oG - ; got=$(open_ports "$OUT/$tool.out") ;;
      kmap-warm) measure $tool $HOST "${KMAP_WARM_RUN[@]}" -sS -T4 -p- -Pn -n $HOST -oG - ; got=$(open_ports "$OUT/$tool.out"); warm_ready ;;
      kmap-before) measure $tool $HOST "$BEFORE" -sS -T4 -p- -Pn -n $HOST -oG - ; got=$(open_ports "$OUT/$tool.out") ;;
      masscan) measure $tool $HOST timeout 20 masscan -p0-65535 $HOST --rate 300000 --wait 1 --adapter "$BR" --router-mac "$MAC" -oL "$OUT/masscan.list"
               got=$(masscan_ports "$OUT/masscan.list") ;;
    esac
    if [[ $got == "$OPEN" ]]; then exact $tool; run_line $tool exact; else run_line $tool "WRONG($got)"; fi
  done
done
report nmap-T4 nmap-rate20k masscan kmap kmap-warm ${BEFORE:+kmap-before}
ratio kmap nmap-T4 "<= 0.4"
ratio kmap nmap-rate20k "<= 0.75"
ratio_time kmap-warm nmap-T4 "<= 0.4"
ratio_time kmap-warm nmap-rate20k "<= 0.75"
[[ -z $BEFORE ]] || ratio kmap kmap-before
fi

if want startup; then
echo "== start-up: one-port raw scan, whole process ($RUNS runs)"
for ((RUN = 1; RUN <= RUNS; RUN++)); do
  measure nmap-1port $HOST nmap -sS -p80 -Pn -n $HOST -oG -
  if [[ $(open_ports "$OUT/nmap-1port.out") == 80 ]]; then exact nmap-1port; run_line nmap-1port exact; else run_line nmap-1port WRONG; fi
  measure kmap-1port $HOST "$KMAP" -sS -p80 -Pn -n $HOST -oG -
  if [[ $(open_ports "$OUT/kmap-1port.out") == 80 ]]; then exact kmap-1port; run_line kmap-1port exact; else run_line kmap-1port WRONG; fi
  warm_ready
  measure kmap-warm-1port $HOST "${KMAP_WARM_RUN[@]}" -sS -p80 -Pn -n $HOST -oG -
  if [[ $(open_ports "$OUT/kmap-warm-1port.out") == 80 ]]; then exact kmap-warm-1port; run_line kmap-warm-1port exact; else run_line kmap-warm-1port WRONG; fi
  warm_ready
done
report nmap-1port kmap-1port kmap-warm-1port
ratio kmap-1port nmap-1port "<= 1.5"
ratio_time kmap-warm-1port nmap-1port "<= 1.5"
fi

if want sweep; then

echo "== /16 sweep of port 80 ($SWEEP, 65536 live addresses; $RUNS runs)"
for ((RUN = 1; RUN <= RUNS; RUN++)); do
  measure zmap $SWEEP_PROBE zmap -p 80 -r 200000 -c 1 -b "$EMPTY" -i "$BR" -G "$MAC" -q -o "$OUT/zmap.csv" $SWEEP
  f=$(wc -l <"$OUT/zmap.csv" 2>/dev/null || echo 0); [[ $f == 65536 ]] && exact zmap; run_line zmap "found $f"
  measure nmap-sweep $SWEEP_PROBE nmap -sS -p80 -n -Pn --min-rate 50000 $SWEEP -oG -
  f=$(grep -c '80/open' "$OUT/nmap-sweep.out" || true); [[ $f == 65536 ]] && exact nmap-sweep; run_line nmap-sweep "found $f"
  measure kmap-sweep $SWEEP_PROBE "$KMAP" -sS -p80 -n -Pn --open $SWEEP -oG -
  f=$(grep -c '80/open' "$OUT/kmap-sweep.out" || true); [[ $f == 65536 ]] && exact kmap-sweep; run_line kmap-sweep "found $f"
  if [[ -n $BEFORE ]]; then
    measure kmap-before-sweep $SWEEP_PROBE "$BEFORE" -sS -p80 -n -Pn --open $SWEEP -oG -
    f=$(grep -c '80/open' "$OUT/kmap-before-sweep.out" || true); [[ $f == 65536 ]] && exact kmap-before-sweep; run_line kmap-before-sweep "found $f"
  fi
done
report zmap nmap-sweep kmap-sweep ${BEFORE:+kmap-before-sweep}
[[ -z $BEFORE ]] || ratio kmap-sweep kmap-before-sweep
ratio kmap-sweep zmap "time < 1, CPU <= 1.5, all 65536 found every run"
fi
