#!/usr/bin/env bash
# A lossy link: the target drops 3% of the packets it receives and 3% of those it sends, at random
# (nftables numgen; this kernel has no netem). -sS -p- of one host, kmap vs nmap -T4 side by side
# in one invocation (root; installs nmap with bin/install-deps). Every run must find every open
# port; medians of RUNS (default 5), wall time and user+system CPU per whole process, the
# machine's limit line first (measured on the same host before the loss is switched on).
# Lab: prefix kne, 10.244.0.11 behind kne-br0 (every scan checks that route first).
set -euo pipefail
export KMAP_LAB_PREFIX=kne KMAP_LAB_NET4=10.244.0 KMAP_LAB_NET6=fd10:244:: KMAP_LAB_ANYIP="" KMAP_LAB_HOSTS=1
export KMAP_LAB_TCP_PORTS="22 80 443 8080 31337 50000 65535" KMAP_LAB_FILTERED_TCP_PORTS="8081"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HOST=10.244.0.11
OPEN="22 80 443 8080 31337 50000 65535"

"$ROOT/bin/install-deps" lab pcap nmap bench >/dev/null
export KMAP_LAB_LOSS=0
lab_up
machine_limit $HOST -sS
lab_down
export KMAP_LAB_LOSS=3
lab_up
echo "loss: ${KMAP_LAB_LOSS}% of packets dropped at random each way in the target"

echo "== -sS -p- of one host under loss ($RUNS runs)"
for ((RUN = 1; RUN <= RUNS; RUN++)); do
  for tool in nmap-T4 kmap; do
    case $tool in
      nmap-T4) measure $tool $HOST nmap -sS -T4 -p- -Pn -n $HOST -oG - ;;
      kmap) measure $tool $HOST "$KMAP" -sS -T4 -p- -Pn -n $HOST -oG - ;;
    esac
    got=$(open_ports "$OUT/$tool.out")
    if [[ $got == "$OPEN" ]]; then exact $tool; run_line $tool exact; else run_line $tool "MISSED(open: $got)"; fi
  done
done
report nmap-T4 kmap
ratio kmap nmap-T4 "<= 0.5, exact every run"
