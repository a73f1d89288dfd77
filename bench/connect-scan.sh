#!/usr/bin/env bash
# Benchmark for the connect scan: a full 65535-port TCP connect scan of one lab host,
# kmap and nmap side by side in the same run, whole process, RUNS times each (alternating).
# Prints each run's time and whether its port states are exactly the lab's, then the medians
# and the ratio kmap/nmap. Needs root (the lab is network namespaces); installs nmap if missing.
# Packets go only to the lab host it creates (10.203.0.11).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
LAB=$ROOT/lab-fixture/src/main/resources/dev/kmap/lab/lab.sh
export KMAP_LAB_PREFIX=kmb KMAP_LAB_NET4=10.203.0 KMAP_LAB_NET6=fd10:203:: KMAP_LAB_ANYIP="" KMAP_LAB_HOSTS=1
export KMAP_LAB_TCP_PORTS="22 80 443 8080 31337 50000 65535" KMAP_LAB_FILTERED_TCP_PORTS="8081 9999"
TARGET=10.203.0.11
OPEN="22 80 443 8080 31337 50000 65535"; FILTERED="8081 9999"

[[ $(id -u) -eq 0 ]] || { echo "bench: needs root (network namespaces)" >&2; exit 2; }
"$ROOT/bin/install-deps" lab nmap >/dev/null
trap 'bash "$LAB" down >/dev/null 2>&1; bash "$LAB" release >/dev/null 2>&1 || true' EXIT
bash "$LAB" up >/dev/null
# Safety: scan only while the target routes through the lab's own bridge.
guard() {
  local dev; dev=$(ip -o route get "$TARGET" | grep -o 'dev [^ ]*' | awk '{print $2}')
  [[ $dev == "${KMAP_LAB_PREFIX}-br0" ]] || { echo "bench: $TARGET routes via '$dev', not the lab bridge: refusing to scan" >&2; exit 3; }
}
guard
"$ROOT/bin/kmap" --version >/dev/null   # build and make the class-data archive outside the timing

# check OUTPUT_FILE: exact port states from nmap/kmap normal output ("Not shown" + table)
check() {
  python3 - "$1" "$OPEN" "$FILTERED" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
want_open = set(map(int, sys.argv[2].split())); want_filt = set(map(int, sys.argv[3].split()))
rows = {int(p): s for p, s in re.findall(r"^(\d+)/tcp\s+(\S+)", text, re.M)}
shown = {s: n for n, s in re.findall(r"Not shown: (\d+) (\S+) tcp ports", text)}
got_open = {p for p, s in rows.items() if s == "open"}
got_filt = {p for p, s in rows.items() if s == "filtered"} | (set() if "filtered" not in shown else {-1})
closed = int(shown.get("closed", 0)) + sum(1 for s in rows.values() if s == "closed")
ok = got_open == want_open and got_filt == want_filt and closed == 65535 - len(want_open) - len(want_filt)
print("exact" if ok else f"WRONG open={sorted(got_open)} filtered={sorted(got_filt)} closed={closed}")
PY
}

now() { date +%s.%N; }
declare -a NT KT
NEXACT=0; KEXACT=0
printf '%-4s %-10s %-8s %-10s %-8s\n' run nmap-s nmap kmap-s kmap
for ((i = 1; i <= RUNS; i++)); do
  guard
  t0=$(now); nmap -sT -T4 -p- -Pn -n "$TARGET" >/tmp/kmb-nmap.txt 2>&1; t1=$(now)
  guard
  t2=$(now); "$ROOT/bin/kmap" -sT -T4 -p- -Pn -n "$TARGET" >/tmp/kmb-kmap.txt 2>&1; t3=$(now)
  n=$(awk "BEGIN{print $t1 - $t0}"); k=$(awk "BEGIN{print $t3 - $t2}")
  nc=$(check /tmp/kmb-nmap.txt); kc=$(check /tmp/kmb-kmap.txt)
  [[ $nc == exact ]] && NEXACT=$((NEXACT + 1)); [[ $kc == exact ]] && KEXACT=$((KEXACT + 1))
  NT+=("$n"); KT+=("$k")
  printf '%-4s %-10.3f %-8s %-10.3f %-8s\n' "$i" "$n" "$nc" "$k" "$kc"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
NM=$(median "${NT[@]}"); KM=$(median "${KT[@]}")
echo "nmap -sT -T4 -p- : median ${NM}s, exact in $NEXACT/$RUNS"
echo "kmap -sT -T4 -p- : median ${KM}s, exact in $KEXACT/$RUNS"
echo "ratio kmap/nmap  : $(awk "BEGIN{printf \"%.3f\", $KM / $NM}")  (target <= 0.5)"
