#!/usr/bin/env bash
# Benchmark for service and version detection: kmap -sV and nmap -sV on the same lab hosts in one
# run, whole process, RUNS times each (alternating). The lab's real Debian daemons are the truth:
# product per port, and version = the installed package's upstream version (dpkg-query).
# Prints per port what each tool found, how many products and versions equal the truth, each
# tool's wall time (median) and the ratio kmap/nmap. Needs root (network namespaces); installs
# nmap and the daemons if missing. Packets go only to the lab hosts it creates (10.251.0.11-12);
# while the lab is up an unreachable route covers 10.251.0.0/24 (a metric below the lab's own),
# and every scan first checks that the targets route through the lab bridge.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
LAB=$ROOT/lab-fixture/src/main/resources/dev/kmap/lab/lab.sh
export KMAP_LAB_PREFIX=kvb KMAP_LAB_NET4=10.251.0 KMAP_LAB_NET6=fd10:251:: KMAP_LAB_ANYIP="" KMAP_LAB_HOSTS=2
export KMAP_LAB_TCP_PORTS="" KMAP_LAB_UDP_PORTS="" KMAP_LAB_FILTERED_TCP_PORTS="" KMAP_LAB_FILTERED_UDP_PORTS=""
export KMAP_LAB_SERVICES_1="nginx nginx-alt sshd vsftpd exim redis mariadb postgresql memcached nsd mosquitto snmpd"
export KMAP_LAB_SERVICES_2="dnsmasq"
H1=10.251.0.11 H2=10.251.0.12 BLOCK=10.251.0.0/24
PORTS="T:21,22,25,53,80,443,1883,3306,5432,6379,11211,18080,18443,U:53,161"
OUT=${OUT:-/tmp/kvb-bench}

[[ $(id -u) -eq 0 ]] || { echo "bench: needs root (network namespaces)" >&2; exit 2; }
"$ROOT/bin/install-deps" lab nmap services >/dev/null
mkdir -p "$OUT"
cleanup() {
  bash "$LAB" down >/dev/null 2>&1 || true
  ip route del unreachable "$BLOCK" metric 4000 2>/dev/null || true
}
trap cleanup EXIT
bash "$LAB" up >/dev/null # (it refuses a block already routed, so the unreachable route comes right after)
ip route add unreachable "$BLOCK" metric 4000 # with the lab's bridge gone, a scan of the block fails on the spot
guard() {
  local a dev
  for a in $H1 $H2; do
    dev=$(ip -o route get "$a" | grep -o 'dev [^ ]*' | awk '{print $2}' || true)
    [[ $dev == "${KMAP_LAB_PREFIX}-br0" ]] || { echo "bench: $a routes via '${dev:-nothing}', not the lab bridge: refusing to scan" >&2; exit 3; }
  done
}
guard
FACTS1=/tmp/kmap-lab-kvb/services/target1/facts.properties
FACTS2=/tmp/kmap-lab-kvb/services/target2/facts.properties
cp "$FACTS1" "$OUT/facts1.properties"; cp "$FACTS2" "$OUT/facts2.properties"
"$ROOT/bin/kmap" --version >/dev/null # build outside the timing

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(nmap --version | sed -n 1p), kmap $("$ROOT/bin/kmap" --version | awk '{print $3}')"
now() { date +%s.%N; }
declare -a NT KT
printf '%-4s %-10s %-10s\n' run nmap-s kmap-s
for ((i = 1; i <= RUNS; i++)); do
  guard
  t0=$(now); nmap -sS -sU -sV -Pn -n -p "$PORTS" -oX "$OUT/nmap.xml" "$H1" "$H2" >"$OUT/nmap.txt" 2>&1; t1=$(now)
  guard
  t2=$(now); "$ROOT/bin/kmap" -sS -sU -sV -Pn -n -p "$PORTS" -oX "$OUT/kmap.xml" "$H1" "$H2" >"$OUT/kmap.txt" 2>&1; t3=$(now)
  n=$(awk "BEGIN{print $t1 - $t0}"); k=$(awk "BEGIN{print $t3 - $t2}")
  NT+=("$n"); KT+=("$k")
  printf '%-4s %-10.3f %-10.3f\n' "$i" "$n" "$k"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
NM=$(median "${NT[@]}"); KM=$(median "${KT[@]}")

python3 - "$OUT" "$H1" "$H2" <<'PY'
import re, sys, xml.etree.ElementTree as ET
out, h1, h2 = sys.argv[1:4]
def facts(f):
    d = {}
    for line in open(f):
        if '=' in line: k, v = line.rstrip('\n').split('=', 1); d[k] = v
    return d
f1, f2 = facts(f"{out}/facts1.properties"), facts(f"{out}/facts2.properties")
up = lambda v: (v.split(':', 1)[1] if ':' in v.split('-')[0] else v).rsplit('-', 1)[0]
# (host, port, proto): (label, product keyword, upstream version, version exposed by the protocol?)
truth = {
    (h1, 21, 'tcp'): ('vsftpd', 'vsftpd', f1['ftp.version'], True),
    (h1, 22, 'tcp'): ('openssh-server', 'openssh', up(f1['ssh.package']), True),
    (h1, 25, 'tcp'): ('exim4', 'exim', f1['smtp.version'], True),
    (h1, 53, 'tcp'): ('nsd tcp', 'nsd', f1['dns.version'], True),
    (h1, 53, 'udp'): ('nsd udp', 'nsd', f1['dns.version'], True),
    (h1, 80, 'tcp'): ('nginx http', 'nginx', up(f1['nginx.package']), True),
    (h1, 443, 'tcp'): ('nginx https', 'nginx', up(f1['nginx.package']), True),
    (h1, 18080, 'tcp'): ('nginx http :18080', 'nginx', up(f1['nginx.package']), True),
    (h1, 18443, 'tcp'): ('nginx https :18443', 'nginx', up(f1['nginx.package']), True),
    (h1, 1883, 'tcp'): ('mosquitto', 'mosquitto', up(f1['mosquitto.package']), True),
    (h1, 3306, 'tcp'): ('mariadb', 'mariadb|mysql', up(f1['mariadb.package']), True),
    (h1, 5432, 'tcp'): ('postgresql', 'postgresql', f1['postgresql.version'], False),
    (h1, 6379, 'tcp'): ('redis', 'redis', up(f1['redis.package']), True),
    (h1, 11211, 'tcp'): ('memcached', 'memcached', f1['memcached.version'], True),
    (h1, 161, 'udp'): ('snmpd', 'net-snmp', f1['snmp.version'], True),
    (h2, 53, 'tcp'): ('dnsmasq tcp', 'dnsmasq', f2['dnsmasq.version'], True),
    (h2, 53, 'udp'): ('dnsmasq udp', 'dnsmasq', f2['dnsmasq.version'], True),
}
def read(path):
    got = {}
    for host in ET.parse(path).getroot().iter('host'):
        addr = host.find('address').get('addr')
        for p in host.iter('port'):
            s = p.find('service')
            st = p.find('state').get('state')
            if s is None: continue
            got[(addr, int(p.get('portid')), p.get('protocol'))] = (st, s.get('name', ''), s.get('tunnel'), s.get('product') or '', s.get('version') or '')
    return got
def version_ok(v, want):
    return re.search(r'(^|[^\w.])' + re.escape(want) + r'($|[^\w.])', v) is not None
res = {t: read(f"{out}/{t}.xml") for t in ('nmap', 'kmap')}
print(f"{'port':<22} {'truth':<14} {'nmap':<46} {'kmap':<46}")
score = {t: [0, 0] for t in res}
for key, (label, kw, ver, exposed) in truth.items():
    cells = []
    for t in ('nmap', 'kmap'):
        st, name, tunnel, prod, v = res[t].get(key, ('missing', '', None, '', ''))
        # a product or version a tool puts into the service name (nmap: "mosquitto version 2.0.11") counts too
        pok = re.search(kw, prod + ' ' + name, re.I) is not None
        vok = version_ok(v, ver) or version_ok(name, ver)
        score[t][0] += pok; score[t][1] += vok
        cells.append(f"{(tunnel + '/' if tunnel else '') + name} {prod} {v}".strip()[:40] + f" {'P' if pok else '-'}{'V' if vok else '-'}")
    print(f"{label:<22} {ver + ('' if exposed else '*'):<14} {cells[0]:<46} {cells[1]:<46}")
n, nv = len(truth), sum(1 for x in truth.values() if x[3])
for t in ('nmap', 'kmap'):
    print(f"{t}: products {score[t][0]}/{n}, versions {score[t][1]}/{n} (the protocols expose {nv})")
print("* PostgreSQL tells an unauthenticated client no version under SCRAM/MD5 auth (only a source line: see docs/service-detection.md)")
PY
echo "nmap -sV: median ${NM}s"
echo "kmap -sV: median ${KM}s"
echo "ratio kmap/nmap: $(awk "BEGIN{printf \"%.3f\", $KM / $NM}")  (target <= 0.5, aim 0.3)"
