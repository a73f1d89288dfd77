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
#    Prints the machine's reference first (reading the capture file: what no parser can beat), then
#    each run's wall time, CPU and peak RSS, the medians, packets per second and the ratios.
# On bench/lib.sh (lab, route guard, timing, medians), as every kmap bench.
# Needs root (the lab). Installs its tools (bin/install-deps lab services passive). Packets go
# only to the lab host it creates, and only while 10.248.0.11 routes through the lab's bridge.
set -euo pipefail
PACKETS=${PACKETS:-1000000}
ROUNDS=${ROUNDS:-60}           # traffic loop iterations (bounded)
WORK=${WORK:-/tmp/kmap-bench-passive}
export KMAP_LAB_PREFIX=kfa KMAP_LAB_NET4=10.248.0 KMAP_LAB_NET6=fd10:248:: KMAP_LAB_ANYIP="" KMAP_LAB_HOSTS=1
export KMAP_LAB_SERVICES_1="nginx sshd nsd"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TARGET=10.248.0.11
KMAP_OPTS=${KMAP_OPTS:-"--max-flows 100000 --max-buffer-total 67108864"}
# bin/kmap's own JIT settings (C1 only), as a user runs it: on this 1M-packet run C2 costs twice
# the CPU (its compiler threads) and is no faster; and a heap bound that the configured maxima
# must fit in.
export KMAP_JAVA_OPTS=${KMAP_JAVA_OPTS:-"-Xmx1g"}

"$ROOT/bin/install-deps" lab services passive >/dev/null
mkdir -p "$WORK"

if [[ ! -s $WORK/trace.pcap ]]; then # (a trace left by an earlier run, or put there, is reused)
  lab_up
  guard $TARGET
  ip netns exec "${KMAP_LAB_PREFIX}-target1" tcpdump -i eth0 -U -s 0 -w "$WORK/trace.pcap" "ip or arp" >/dev/null 2>&1 &
  TD=$!
  sleep 1.5
  for ((i = 1; i <= ROUNDS; i++)); do # bounded: ROUNDS iterations, each call with a time limit
    guard $TARGET
    curl -s -o /dev/null --max-time 5 "http://$TARGET/" "http://$TARGET/robots.txt" -H "Host: www.kmap.lab" || true
    curl -sk -o /dev/null --max-time 5 --resolve "www.kmap.lab:443:$TARGET" "https://www.kmap.lab/" || true
    curl -sk -o /dev/null --max-time 5 --http1.1 --tls-max 1.2 --resolve "kmap.lab:443:$TARGET" "https://kmap.lab/index.html" || true
    dig +time=2 +tries=1 "@$TARGET" www.kmap.lab A >/dev/null || true
    dig +tcp +time=2 +tries=1 "@$TARGET" mail.kmap.lab A >/dev/null || true
    if ((i % 10 == 1)); then timeout 8 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 "$TARGET" true 2>/dev/null || true; fi
  done
  sleep 1
  kill "$TD"; wait "$TD" 2>/dev/null || true
  lab_down
else
  "$KMAP" --version >/dev/null # build and class-data archive outside the timing
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

FILE=$WORK/big.pcap
NPKT=$(python3 -c "import os,struct;d=open('$FILE','rb');d.read(24);n=0
while True:
  h=d.read(16)
  if len(h)<16: break
  d.seek(struct.unpack('<IIII',h)[2],1); n+=1
print(n)")
echo "packets: $NPKT ($(du -h "$FILE" | cut -f1)); machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo)"

# the machine's reference: the capture file read once into nothing (the page cache's pace)
for ((i = 1; i <= 3; i++)); do measure read-file - dd if="$FILE" of=/dev/null bs=1M; done
pps() { awk -v n="$NPKT" -v t="$1" 'BEGIN{printf "%.0f", (t > 0 ? n / t : 0)}'; }
echo "machine reference: reading the capture file $(pps "$(median read-file wall)") packets/s ($(median read-file wall) s, median of 3)"

# ok NAME: the run exited 0 and wrote something
ok() { if ! grep -q 'exited with non-zero' "$OUT/$1.time" && [[ -s $OUT/$1.out ]]; then exact "$1"; run_line "$1" "ok, peak ${RSS[$1]##* } MB"; else run_line "$1" "FAILED: $(tail -1 "$OUT/$1.err")"; fi; }
echo "== $NPKT packets ($RUNS runs)"
for ((RUN = 1; RUN <= RUNS; RUN++)); do
  measure kmap - "$KMAP" passive -r "$FILE" $KMAP_OPTS -oJ "$WORK/kmap.json" -oN -; ok kmap
  measure tshark-conv - tshark -r "$FILE" -q -z conv,tcp; ok tshark-conv
  measure tshark-fields - tshark -r "$FILE" -Y "http.request or tls.handshake or dns" -T fields \
    -e frame.number -e ip.src -e ip.dst -e http.host -e http.request.uri -e tls.handshake.extensions_server_name -e dns.qry.name
  ok tshark-fields
done
report kmap tshark-conv tshark-fields
for n in kmap tshark-conv tshark-fields; do
  printf '  %-22s %s packets/s, peak RSS %s MB (median)\n' "$n" "$(pps "$(median $n wall)")" "$(median $n rss)"
done
echo "  (kmap: flows+reassembly+parsers+results; limits: $KMAP_OPTS, heap ${KMAP_JAVA_OPTS##*-Xmx})"
ratio tshark-conv kmap ">= 3: kmap's packets/s over tshark's"
ratio tshark-fields kmap ">= 3"
echo "load while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E "^kmap: passive" "$OUT/kmap.err" || true

# OS hints: p0f on the trace against kmap with its own signatures and with p0f's database
p0f -r "$WORK/trace.pcap" -o "$WORK/p0f.log" >/dev/null 2>&1 || true
echo "p0f -r trace.pcap, OS per host (os= lines, SYN and SYN/ACK):"
{ grep -E 'mod=syn' "$WORK/p0f.log" || true; } | sed -E 's/.*\|cli=([^/|]*)[^|]*\|srv=([^/|]*)[^|]*\|subj=(cli|srv)\|os=([^|]*).*/\3 \1 \2 \4/' |
  awk '{h = ($1 == "cli") ? $2 : $3; $1 = $2 = $3 = ""; print "  " h " " $0}' | sort | uniq -c
"$KMAP" passive -r "$WORK/trace.pcap" -oJ "$WORK/os-kmap.json" >/dev/null 2>&1
"$KMAP" passive -r "$WORK/trace.pcap" --os-db /etc/p0f/p0f.fp -oJ "$WORK/os-p0fdb.json" >/dev/null 2>&1
python3 - "$WORK/os-kmap.json" "$WORK/os-p0fdb.json" <<'PY'
import json, sys
for label, f in zip(["kmap (own signatures)", "kmap (--os-db /etc/p0f/p0f.fp)"], sys.argv[1:]):
    hosts = json.load(open(f))["hosts"]
    print(f"{label}: " + "; ".join(f"{h['host']['address']} " + ", ".join(f"{o['name']} ({o['accuracy']}%)" for o in h.get("os", [])) for h in hosts))
PY
