#!/usr/bin/env bash
# Connect scan benchmark: all 65535 ports of one lab host, kmap -sT vs nmap -sT -T4, side by side
# in one invocation (root; installs nmap with bin/install-deps). Medians of RUNS (default 5), wall
# time and user+system CPU per whole process, exactness of every run (open and filtered ports as
# the lab has them), the machine's limit line first.
# kmap-warm rows: kmap through a warm process (KMAP_WARM=1; lib.sh's warm_ready, outside the timing).
# Lab: prefix knc, 10.242.0.11 behind knc-br0 (every scan checks that route first).
set -euo pipefail
export KMAP_LAB_PREFIX=knc KMAP_LAB_NET4=10.242.0 KMAP_LAB_NET6=fd10:242:: KMAP_LAB_ANYIP="" KMAP_LAB_HOSTS=1
export KMAP_LAB_TCP_PORTS="22 80 443 8080 31337 50000 65535" KMAP_LAB_FILTERED_TCP_PORTS="8081 9999"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HOST=10.242.0.11
OPEN="22 80 443 8080 31337 50000 65535"; FILTERED="8081 9999"

"$ROOT/bin/install-deps" lab bench >/dev/null
lab_up
machine_limit $HOST -sT
filtered_ports() { grep -oE '[0-9]+/filtered/' "$1" | cut -d/ -f1 | sort -n | tr '\n' ' ' | sed 's/ $//'; }

echo "== -sT -p- of one host ($RUNS runs)"
for ((RUN = 1; RUN <= RUNS; RUN++)); do
  for tool in nmap-sT-T4 kmap-sT kmap-warm-sT ${BEFORE:+kmap-before-sT}; do
    case $tool in
      nmap-sT-T4) measure $tool $HOST nmap -sT -T4 -p- -Pn -n $HOST -oG - ;;
      kmap-sT) measure $tool $HOST "$KMAP" -sT -T4 -p- -Pn -n $HOST -oG - ;;
      kmap-warm-sT) warm_ready; measure $tool $HOST "${KMAP_WARM_RUN[@]}" -sT -T4 -p- -Pn -n $HOST -oG - ; warm_ready ;;
      kmap-before-sT) measure $tool $HOST "$BEFORE" -sT -T4 -p- -Pn -n $HOST -oG - ;;
    esac
    o=$(open_ports "$OUT/$tool.out"); f=$(filtered_ports "$OUT/$tool.out")
    if [[ $o == "$OPEN" && $f == "$FILTERED" ]]; then exact $tool; run_line $tool exact; else run_line $tool "WRONG(open: $o; filtered: $f)"; fi
  done
done
report nmap-sT-T4 kmap-sT kmap-warm-sT ${BEFORE:+kmap-before-sT}
ratio kmap-sT nmap-sT-T4 "<= 0.5"
ratio_time kmap-warm-sT nmap-sT-T4 "<= 0.5"
[[ -z $BEFORE ]] || ratio kmap-sT kmap-before-sT
