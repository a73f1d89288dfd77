#!/usr/bin/env bash
# An ordinary subnet: a /24 where 60 of 254 addresses are live (one lab namespace answering on
# all 60) and the rest are on-link and silent. kmap vs nmap side by side in one invocation (root;
# installs nmap with bin/install-deps): -sn, and the default scan (-sS, top 1000 ports, default
# discovery). The host list and the open ports must be identical for both in every run, and as
# the lab has them: the bench fails loudly otherwise. Medians of RUNS (default 5), wall time and
# user+system CPU per whole process, the machine's limit line first. KMAP_BEFORE (see lib.sh) adds
# another build of kmap as a peer, with the ratio after/before.
# kmap-warm rows: kmap through a warm process (KMAP_WARM=1; lib.sh's warm_ready, outside the timing).
# Lab: prefix knd, 10.243.0.0/24 behind knd-br0 (every scan checks that route first).
set -euo pipefail
export KMAP_LAB_PREFIX=knd KMAP_LAB_NET4=10.243.0 KMAP_LAB_NET6=fd10:243:: KMAP_LAB_ANYIP="" KMAP_LAB_HOSTS=1
export KMAP_LAB_TCP_PORTS="22 80 443" KMAP_LAB_UDP_PORTS="" KMAP_LAB_FILTERED_TCP_PORTS="" KMAP_LAB_FILTERED_UDP_PORTS=""
# host 1 is .11; 59 more addresses: .20-.78
export KMAP_LAB_EXTRA_1="$(seq -s ' ' 20 78)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NET=10.243.0.0/24; PROBE=10.243.0.11
LIVE=$( (echo 11; seq 20 78) | sort -n | sed 's/^/10.243.0./' | tr '\n' ' ' | sed 's/ $//')
# the scanner's own address (.1) is left out: nmap and kmap treat a local address differently
EXCLUDE=10.243.0.1

"$ROOT/bin/install-deps" lab pcap nmap bench >/dev/null
lab_up
machine_limit $PROBE -sS

up_hosts() { awk '/Status: Up/{print $2}' "$1" | sort -t. -k4 -n | tr '\n' ' ' | sed 's/ $//'; }
# "host port,port,..." per host with open ports, sorted
host_ports() {
  awk '/Ports:/{h=$2; n=split($0, a, /[ ,]+/); p=""; for (i = 1; i <= n; i++) if (a[i] ~ /^[0-9]+\/open\//) { split(a[i], b, "/"); p = p (p == "" ? "" : ",") b[1] } if (p != "") print h, p}' "$1" | sort -t. -k4 -n
}
WANT_PORTS=$(for h in $LIVE; do echo "$h 22,80,443"; done)
fail() { echo "bench: FAILED: $*" >&2; FAILED=1; }
FAILED=0

echo "== -sn of the /24 ($RUNS runs)"
for ((RUN = 1; RUN <= RUNS; RUN++)); do
  measure nmap-sn $PROBE nmap -sn -T4 -n $NET --exclude $EXCLUDE -oG -
  measure kmap-sn $PROBE "$KMAP" -sn -T4 -n $NET --exclude $EXCLUDE -oG -
  warm_ready; measure kmap-warm-sn $PROBE "${KMAP_WARM_RUN[@]}" -sn -T4 -n $NET --exclude $EXCLUDE -oG -; warm_ready
  [[ -z $BEFORE ]] || measure kmap-before-sn $PROBE "$BEFORE" -sn -T4 -n $NET --exclude $EXCLUDE -oG -
  for t in nmap-sn kmap-sn kmap-warm-sn ${BEFORE:+kmap-before-sn}; do
    got=$(up_hosts "$OUT/$t.out")
    if [[ $got == "$LIVE" ]]; then exact $t; run_line $t "exact ($(wc -w <<<"$got") up)"; else run_line $t "WRONG"; fail "$t run $RUN: up hosts: $got"; fi
  done
done
report nmap-sn kmap-sn kmap-warm-sn ${BEFORE:+kmap-before-sn}
ratio kmap-sn nmap-sn "<= 0.5, identical host lists"
ratio_time kmap-warm-sn nmap-sn "<= 0.5, identical host lists"
[[ -z $BEFORE ]] || ratio kmap-sn kmap-before-sn

echo "== default scan (-sS, top 1000 ports, default discovery) of the /24 ($RUNS runs)"
for ((RUN = 1; RUN <= RUNS; RUN++)); do
  measure nmap-sS $PROBE nmap -sS -T4 -n $NET --exclude $EXCLUDE -oG -
  measure kmap-sS $PROBE "$KMAP" -sS -T4 -n $NET --exclude $EXCLUDE -oG -
  warm_ready; measure kmap-warm-sS $PROBE "${KMAP_WARM_RUN[@]}" -sS -T4 -n $NET --exclude $EXCLUDE -oG -; warm_ready
  [[ -z $BEFORE ]] || measure kmap-before-sS $PROBE "$BEFORE" -sS -T4 -n $NET --exclude $EXCLUDE -oG -
  for t in nmap-sS kmap-sS kmap-warm-sS ${BEFORE:+kmap-before-sS}; do
    got=$(up_hosts "$OUT/$t.out"); ports=$(host_ports "$OUT/$t.out")
    if [[ $got == "$LIVE" && $ports == "$WANT_PORTS" ]]; then exact $t; run_line $t "exact ($(wc -w <<<"$got") up, $(wc -l <<<"$ports") hosts with 22,80,443 open)"
    else run_line $t WRONG; fail "$t run $RUN: up: $got; ports: $(tr '\n' ';' <<<"$ports")"; fi
  done
done
report nmap-sS kmap-sS kmap-warm-sS ${BEFORE:+kmap-before-sS}
ratio kmap-sS nmap-sS "<= 0.5, identical host and port lists"
ratio_time kmap-warm-sS nmap-sS "<= 0.5, identical host and port lists"
[[ -z $BEFORE ]] || ratio kmap-sS kmap-before-sS
((FAILED == 0)) || { echo "bench: the host or port lists differ from the lab's (see above)" >&2; exit 1; }
