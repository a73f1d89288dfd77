#!/usr/bin/env bash
# Benchmark for kmap passive: packets per second through the whole pipeline (flows, reassembly,
# every parser, results, outputs) on a capture of at least 1M packets built from real lab
# traffic, side by side with tshark in the same run, with peak memory; and kmap's passive OS
# hints beside p0f's on the same file.
#
# 1. A lab host (prefix kfa, 10.248.0.11) runs nginx, sshd and NSD; tcpdump in its namespace
#    records a bounded loop of curl (HTTP, HTTPS with SNI, TLS 1.3 and 1.2), dig (UDP, TCP) and ssh.
# 2. That trace is replicated with the client's address and the timestamps shifted per copy
#    (every copy is new flows) until it holds at least PACKETS packets (default 1,000,000).
# 3. RUNS times each, alternating: kmap passive -r, tshark -q -z conv,tcp, tshark -Y ... -T fields.
#    Prints each run's wall time and peak RSS, the medians, packets per second and the ratios.
# Needs root (the lab). Installs its tools (bin/install-deps lab services passive). Packets go
# only to the lab host it creates, and only while 10.248.0.11 routes through the lab's bridge.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
PACKETS=${PACKETS:-1000000}
ROUNDS=${ROUNDS:-60}           # traffic loop iterations (bounded)
WORK=${WORK:-/tmp/kmap-bench-passive}
LAB=$ROOT/lab-fixture/src/main/resources/dev/kmap/lab/lab.sh
export KMAP_LAB_PREFIX=kfa KMAP_LAB_NET4=10.248.0 KMAP_LAB_NET6=fd10:248:: KMAP_LAB_ANYIP="" KMAP_LAB_HOSTS=1
export KMAP_LAB_SERVICES_1="nginx sshd nsd"
TARGET=10.248.0.11
KMAP_OPTS=${KMAP_OPTS:-"--max-flows 100000 --max-buffer-total 67108864"}
# bin/kmap's own JIT settings (C1 only), as a user runs it: on this 1M-packet run C2 costs twice
# the CPU (its compiler threads) and is no faster; and a heap bound that the configured maxima
# must fit in.
export KMAP_JAVA_OPTS=${KMAP_JAVA_OPTS:-"-Xmx1g"}

[[ $(id -u) -eq 0 ]] || { echo "bench: needs root (network namespaces)" >&2; exit 2; }
"$ROOT/bin/install-deps" lab services passive >/dev/null
mkdir -p "$WORK"
cleanup() { bash "$LAB" down >/dev/null 2>&1 || true; bash "$LAB" release >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [[ ! -s $WORK/trace.pcap ]]; then # (a trace left by an earlier run, or put there, is reused)
  bash "$LAB" up >/dev/null
  guard() {
    local dev; dev=$(ip -o route get "$TARGET" | grep -o 'dev [^ ]*' | awk '{print $2}')
    [[ $dev == "${KMAP_LAB_PREFIX}-br0" ]] || { echo "bench: $TARGET routes via '$dev', not the lab bridge: refusing" >&2; exit 3; }
  }
  guard
  ip netns exec "${KMAP_LAB_PREFIX}-target1" tcpdump -i eth0 -U -s 0 -w "$WORK/trace.pcap" "ip or arp" >/dev/null 2>&1 &
  TD=$!
  sleep 1.5
  for ((i = 1; i <= ROUNDS; i++)); do # bounded: ROUNDS iterations, each call with a time limit
    guard
    curl -s -o /dev/null --max-time 5 "http://$TARGET/" "http://$TARGET/robots.txt" -H "Host: www.kmap.lab" || true
    curl -sk -o /dev/null --max-time 5 --resolve "www.kmap.lab:443:$TARGET" "https://www.kmap.lab/" || true
    curl -sk -o /dev/null --max-time 5 --http1.1 --tls-max 1.2 --resolve "kmap.lab:443:$TARGET" "https://kmap.lab/index.html" || true
    dig +time=2 +tries=1 "@$TARGET" www.kmap.lab A >/dev/null || true
    dig +tcp +time=2 +tries=1 "@$TARGET" mail.kmap.lab A >/dev/null || true
    if ((i % 10 == 1)); then timeout 8 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 "$TARGET" true 2>/dev/null || true; fi
  done
  sleep 1
  kill "$TD"; wait "$TD" 2>/dev/null || true
  bash "$LAB" down >/dev/null
fi

# replicate: copy k moves the client (10.248.0.1, or CLIENT for a trace recorded elsewhere) to 10.249.(k/250).(k%250+1) and the clock on
python3 - "$WORK/trace.pcap" "$WORK/big.pcap" "$PACKETS" "${CLIENT:-$KMAP_LAB_NET4.1}" <<'PY'
import struct, sys
src, dst, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, 'rb').read()
hdr, recs, o = data[:24], [], 24
while o + 16 <= len(data):
    ts, us, inc, orig = struct.unpack_from('<IIII', data, o)
    recs.append((ts, us, bytearray(data[o + 16:o + 16 + inc]), orig)); o += 16 + inc
span = recs[-1][0] - recs[0][0] + 2
client = bytes(int(x) for x in sys.argv[4].split('.'))
out = open(dst, 'wb'); out.write(hdr); n = 0; k = 0
while n < want:
    new = bytes([10, 249, (k // 250) % 256, k % 250 + 1])
    for ts, us, frame, orig in recs:
        f = bytearray(frame)
        if len(f) >= 34 and f[12:14] == b'\x08\x00':
            if f[26:30] == client: f[26:30] = new
            if f[30:34] == client: f[30:34] = new
        out.write(struct.pack('<IIII', ts + k * span, us, len(f), orig)); out.write(f); n += 1
    k += 1
out.close()
print(f"capture: {n} packets ({len(recs)} per copy x {k} copies) in {dst}")
PY

"$ROOT/bin/kmap" --version >/dev/null # build outside the timing
FILE=$WORK/big.pcap
NPKT=$(python3 -c "import os,struct;d=open('$FILE','rb');d.read(24);n=0
while True:
  h=d.read(16)
  if len(h)<16: break
  d.seek(struct.unpack('<IIII',h)[2],1); n+=1
print(n)")
measure() { # measure OUT CMD...: prints "seconds maxrss_kb cpu_seconds" (cpu: user + system)
  local out=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" >"$out" 2>"$out.err" || { echo "bench: failed: $*" >&2; tail -3 "$out.err" >&2; exit 1; }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/time.txt"
}
declare -a KT KM KC CT CM CC FT FM FC
printf '%-4s %-22s %-22s %-22s\n' run "kmap s / cpu s / MB" "tshark conv s/cpu/MB" "tshark fields s/cpu/MB"
for ((i = 1; i <= RUNS; i++)); do
  read -r kt km kc < <(measure "$WORK/kmap.txt" "$ROOT/bin/kmap" passive -r "$FILE" $KMAP_OPTS -oJ "$WORK/kmap.json" -oN -)
  read -r ct cm cc < <(measure "$WORK/conv.txt" tshark -r "$FILE" -q -z conv,tcp)
  read -r ft fm fc < <(measure "$WORK/fields.txt" tshark -r "$FILE" -Y "http.request or tls.handshake or dns" -T fields \
    -e frame.number -e ip.src -e ip.dst -e http.host -e http.request.uri -e tls.handshake.extensions_server_name -e dns.qry.name)
  KT+=("$kt"); KM+=("$km"); KC+=("$kc"); CT+=("$ct"); CM+=("$cm"); CC+=("$cc"); FT+=("$ft"); FM+=("$fm"); FC+=("$fc")
  printf '%-4s %-22s %-22s %-22s\n' "$i" "$kt / $kc / $((km / 1024))" "$ct / $cc / $((cm / 1024))" "$ft / $fc / $((fm / 1024))"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
K=$(median "${KT[@]}"); C=$(median "${CT[@]}"); F=$(median "${FT[@]}")
pps() { awk "BEGIN{printf \"%.0f\", $NPKT / $1}"; }
echo "packets: $NPKT ($(du -h "$FILE" | cut -f1)); machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo)"
echo "kmap passive (flows+reassembly+parsers+results): median ${K}s = $(pps "$K") packets/s, peak RSS $(( $(median "${KM[@]}") / 1024 )) MB (limits: $KMAP_OPTS, heap ${KMAP_JAVA_OPTS##*-Xmx})"
echo "tshark -q -z conv,tcp                         : median ${C}s = $(pps "$C") packets/s, peak RSS $(( $(median "${CM[@]}") / 1024 )) MB"
echo "tshark -Y 'http.request or tls.handshake or dns' -T fields: median ${F}s = $(pps "$F") packets/s, peak RSS $(( $(median "${FM[@]}") / 1024 )) MB"
echo "ratio kmap/tshark conv   (packets/s): $(awk "BEGIN{printf \"%.2f\", $C / $K}")x  (target >= 3)"
echo "ratio kmap/tshark fields (packets/s): $(awk "BEGIN{printf \"%.2f\", $F / $K}")x  (target >= 3)"
KCM=$(median "${KC[@]}"); CCM=$(median "${CC[@]}"); FCM=$(median "${FC[@]}")
echo "CPU (user+sys) medians: kmap ${KCM}s, tshark conv ${CCM}s, tshark fields ${FCM}s; packets per CPU second, kmap/tshark conv $(awk "BEGIN{printf \"%.2f\", $CCM / $KCM}")x, kmap/tshark fields $(awk "BEGIN{printf \"%.2f\", $FCM / $KCM}")x"
echo "load while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E "^kmap: passive" "$WORK/kmap.txt.err" || true

# OS hints: p0f on the trace against kmap with its own signatures and with p0f's database
p0f -r "$WORK/trace.pcap" -o "$WORK/p0f.log" >/dev/null 2>&1 || true
echo "p0f -r trace.pcap, OS per host (os= lines, SYN and SYN/ACK):"
{ grep -E 'mod=syn' "$WORK/p0f.log" || true; } | sed -E 's/.*\|cli=([^/|]*)[^|]*\|srv=([^/|]*)[^|]*\|subj=(cli|srv)\|os=([^|]*).*/\3 \1 \2 \4/' |
  awk '{h = ($1 == "cli") ? $2 : $3; $1 = $2 = $3 = ""; print "  " h " " $0}' | sort | uniq -c
"$ROOT/bin/kmap" passive -r "$WORK/trace.pcap" -oJ "$WORK/os-kmap.json" >/dev/null 2>&1
"$ROOT/bin/kmap" passive -r "$WORK/trace.pcap" --os-db /etc/p0f/p0f.fp -oJ "$WORK/os-p0fdb.json" >/dev/null 2>&1
python3 - "$WORK/os-kmap.json" "$WORK/os-p0fdb.json" <<'PY'
import json, sys
for label, f in zip(["kmap (own signatures)", "kmap (--os-db /etc/p0f/p0f.fp)"], sys.argv[1:]):
    hosts = json.load(open(f))["hosts"]
    print(f"{label}: " + "; ".join(f"{h['host']['address']} " + ", ".join(f"{o['name']} ({o['accuracy']}%)" for o in h.get("os", [])) for h in hosts))
PY
