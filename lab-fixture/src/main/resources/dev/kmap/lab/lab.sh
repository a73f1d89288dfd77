#!/usr/bin/env bash
# lab.sh - kmap's disposable network-namespace lab for scanner tests.
#
#   lab.sh up       build the lab (tears down any previous lab of the same prefix first)
#   lab.sh down     remove everything but the unreachable routes (idempotent, safe to run twice)
#   lab.sh release  remove the unreachable routes too (when nothing will scan the lab's addresses any more)
#   lab.sh status   show namespaces, addresses, listeners
#   lab.sh state    print the state directory of the lab that is up
#
# The scanner side is the ROOT network namespace (where the JVM running the tests lives);
# every target host is a network namespace behind a bridge in the root namespace:
#
#   root netns (scanner)
#     ${P}-br0  bridge  ${NET4}.1/24  ${NET6}1/64  mac 02:6b:6d:00:01:01
#       |-- ${P}-h1  veth ==== eth0 in netns ${P}-target1  ${NET4}.11  ${NET6}11  mac 02:6b:6d:00:02:01
#       |-- ${P}-h2  veth ==== eth0 in netns ${P}-target2  ${NET4}.12  ${NET6}12  mac 02:6b:6d:00:02:02
#       ...                                                 (P = KMAP_LAB_PREFIX)
#
# Each target runs one python3 process, bound to :: (dual stack), which answers on the
# KMAP_LAB_TCP_PORTS with the banner "lab <ip> <port>\r\n" and closes, and echoes datagrams
# on the KMAP_LAB_UDP_PORTS (replying from the address they were sent to). Every other TCP
# port answers RST, every other UDP port ICMP port-unreachable (rate limited unless
# KMAP_LAB_ICMP_RATELIMIT=0). KMAP_LAB_FILTERED_TCP_PORTS / KMAP_LAB_FILTERED_UDP_PORTS are
# silently dropped by nftables in the target (table inet kmap_filter) -> "filtered".
# Per-host overrides: KMAP_LAB_TCP_PORTS_<n>, KMAP_LAB_UDP_PORTS_<n>,
# KMAP_LAB_FILTERED_TCP_PORTS_<n>, KMAP_LAB_FILTERED_UDP_PORTS_<n> (set but empty = none).
# KMAP_LAB_SERVICES_<n>="nginx sshd ..." runs real Debian daemons on their standard ports in
# target n (services.sh beside this script, or KMAP_LAB_SERVICES_SCRIPT); their ports are
# taken out of that host's listener ports. State in $STATE/services/target<n>.
# KMAP_LAB_EXTRA_<n>="20 21 35" gives target n more addresses on its eth0: ${NET4}.20 and
# ${NET6}20 and so on (last octets 2..254, none of the hosts' own .11.. nor the bridge's .1), all
# answered by the same listener: a /24 with many live and many absent on-link addresses.
# KMAP_LAB_LOSS=3 makes every target drop 3% of the packets it receives and 3% of those it sends
# at random (nftables numgen in the target, after the readiness checks): a lossy link.
# KMAP_LAB_ANYIP=10.202.0.0/16 makes target1 answer on EVERY address of that prefix
# (route type local on its lo) and routes the prefix to target1 from the root netns.
#
# Safety: every address must be private (10/8, 172.16/12, 192.168/16, ULA fc00::/7), and `up`
# refuses to run if anything outside the lab already uses the lab's addresses or routes. `up`
# also adds `unreachable` routes (metric $UNREACHABLE_METRIC) for the lab's /24, /64 and AnyIP
# prefix in the root namespace; the lab's own routes win while it is up, and after `down` a scan
# of a lab address fails on the spot instead of leaving the machine. `release` removes them.
# State (pid files, logs, listener.py, services) lives in a fresh `mktemp -d` directory per lab
# (root's, 0711: only root writes or lists it), recorded in /run/kmap-lab/<prefix>.state
# (KMAP_LAB_STATE: a directory the caller made, empty, owned by root, mode 0700 or 0711).
# Needs root, iproute2, nftables, python3 (ethtool only for KMAP_LAB_OFFLOAD=off).
set -euo pipefail

P=${KMAP_LAB_PREFIX:-kml}                                   # name prefix of namespaces, links, nft table
HOSTS=${KMAP_LAB_HOSTS:-2}                                  # number of target hosts (1..200)
TCP_PORTS=${KMAP_LAB_TCP_PORTS-"22 80 443 8080"}           # open TCP ports on every host
UDP_PORTS=${KMAP_LAB_UDP_PORTS-"53 161"}                   # UDP echo ports on every host
FILTERED_TCP=${KMAP_LAB_FILTERED_TCP_PORTS-"8081"}          # TCP ports DROPped (-> filtered)
FILTERED_UDP=${KMAP_LAB_FILTERED_UDP_PORTS-"162"}           # UDP ports DROPped (-> open|filtered)
NET4=${KMAP_LAB_NET4:-10.201.0}                             # /24 base: bridge .1, hosts .11 .12 ...
NET6=${KMAP_LAB_NET6:-fd10:201::}                           # /64 base: bridge ::1, hosts ::11 ::12 ...
ANYIP=${KMAP_LAB_ANYIP-10.202.0.0/16}                       # "" = no AnyIP prefix
ICMP_RATELIMIT=${KMAP_LAB_ICMP_RATELIMIT:-}                 # 0: lift ICMP error rate limits in targets
OFFLOAD=${KMAP_LAB_OFFLOAD:-on}                             # off: disable checksum/TSO offload on lab links
DROP_RST_SPORTS=${KMAP_LAB_DROP_RST_SPORTS:-}               # e.g. 40000:40999: drop our kernel's RSTs from these sports
LOSS=${KMAP_LAB_LOSS:-0}                                    # percent of packets each target drops at random, each way
STATE=${KMAP_LAB_STATE:-}                                   # pid files, logs, listener.py, hosts.tsv (see new_state)
UNREACHABLE_METRIC=4242                                     # our unreachable routes lose to the lab's own
SERVICES_SH=${KMAP_LAB_SERVICES_SCRIPT:-$(dirname "${BASH_SOURCE[0]}")/services.sh}
if [[ -n ${KMAP_LAB_PYTHON:-} ]]; then PY=$KMAP_LAB_PYTHON
elif [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3
else PY=$(command -v python3 || true); fi

BR=${P}-br0
NFT_ROOT_TABLE=${P}_lab          # only used in the root netns (KMAP_LAB_DROP_RST_SPORTS)
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

die() { echo "lab: $*" >&2; exit 1; }

# ---------------------------------------------------------------- validation
valid_ports() { local p; for p in $1; do [[ $p =~ ^[0-9]{1,5}$ ]] && ((p >= 1 && p <= 65535)) || return 1; done; }
ip4int() { local a b c d; IFS=. read -r a b c d <<<"$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
private4() { # private4 a.b.c.d
  local a b c d; IFS=. read -r a b c d <<<"$1"
  ((a == 10)) || ((a == 172 && b >= 16 && b <= 31)) || ((a == 192 && b == 168))
}
validate() {
  [[ $P =~ ^[a-z][a-z0-9]{0,9}$ ]] || die "KMAP_LAB_PREFIX must match [a-z][a-z0-9]{0,9} (link names <= 15 chars): '$P'"
  [[ $HOSTS =~ ^[0-9]+$ ]] && ((HOSTS >= 1 && HOSTS <= 200)) || die "KMAP_LAB_HOSTS must be 1..200: '$HOSTS'"
  [[ $NET4 =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || die "KMAP_LAB_NET4 must be three octets like 10.201.0: '$NET4'"
  local o; for o in "${BASH_REMATCH[@]:1}"; do ((o <= 255)) || die "bad KMAP_LAB_NET4 '$NET4'"; done
  private4 "$NET4.0" || die "KMAP_LAB_NET4 must be private (10/8, 172.16/12, 192.168/16): '$NET4'"
  [[ ${NET6,,} =~ ^f[cd][0-9a-f]{2}(:[0-9a-f]{1,4}){0,3}::$ ]] || die "KMAP_LAB_NET6 must be a ULA /64 base ending in :: (e.g. fd10:201::): '$NET6'"
  NET6=${NET6,,}
  local v
  for v in TCP_PORTS UDP_PORTS FILTERED_TCP FILTERED_UDP; do valid_ports "${!v}" || die "bad port list $v='${!v}'"; done
  local i n
  for ((i = 1; i <= HOSTS; i++)); do
    for n in TCP_PORTS UDP_PORTS FILTERED_TCP_PORTS FILTERED_UDP_PORTS; do
      v=KMAP_LAB_${n}_$i
      [[ -z ${!v+x} ]] || valid_ports "${!v}" || die "bad port list $v='${!v}'"
    done
  done
  for ((i = 1; i <= HOSTS; i++)); do
    v=KMAP_LAB_SERVICES_$i
    [[ -z ${!v:-} ]] || bash "$SERVICES_SH" ports ${!v} >/dev/null 2>&1 || die "bad service list $v='${!v}' (known: $(bash "$SERVICES_SH" list))"
  done
  if [[ -n $ANYIP ]]; then
    [[ $ANYIP =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}/([0-9]{1,2})$ ]] || die "KMAP_LAB_ANYIP must look like 10.202.0.0/16: '$ANYIP'"
    local len=${BASH_REMATCH[2]} net=${ANYIP%/*}
    ((len >= 16 && len <= 32)) || die "KMAP_LAB_ANYIP prefix length must be 16..32: '$ANYIP'"
    private4 "$net" || die "KMAP_LAB_ANYIP must be private: '$ANYIP'"
    local mask=$(((0xffffffff << (32 - len)) & 0xffffffff)) a n4
    a=$(ip4int "$net"); n4=$(ip4int "$NET4.0")
    ((a & ~mask & 0xffffffff)) && die "KMAP_LAB_ANYIP has host bits set: '$ANYIP'"
    # overlap of [a, a+2^(32-len)) and [n4, n4+256)
    if ((a < n4 + 256 && n4 < a + (1 << (32 - len)))); then die "KMAP_LAB_ANYIP $ANYIP overlaps $NET4.0/24"; fi
  fi
  [[ $OFFLOAD == on || $OFFLOAD == off ]] || die "KMAP_LAB_OFFLOAD must be on or off"
  [[ -z $DROP_RST_SPORTS || $DROP_RST_SPORTS =~ ^[0-9]{1,5}(:[0-9]{1,5})?$ ]] || die "KMAP_LAB_DROP_RST_SPORTS must be PORT or LO:HI"
  [[ $LOSS =~ ^[0-9]{1,2}$ ]] || die "KMAP_LAB_LOSS must be a percentage 0..99: '$LOSS'"
  local seen=" " x
  for ((i = 1; i <= HOSTS; i++)); do
    for x in $(extras_of "$i"); do
      [[ $x =~ ^[0-9]{1,3}$ ]] && ((x >= 2 && x <= 254)) || die "KMAP_LAB_EXTRA_$i: last octets must be 2..254: '$x'"
      ((x < 11 || x > 10 + HOSTS)) || die "KMAP_LAB_EXTRA_$i: $x is a lab host's own address"
      [[ $seen != *" $x "* ]] || die "KMAP_LAB_EXTRA_$i: $x is given twice"
      seen+="$x "
    done
  done
}

# ---------------------------------------------------------------- state directory and safety routes
POINTER_DIR=/run/kmap-lab
POINTER=$POINTER_DIR/$P.state
# a directory root may run code from: a real directory (no symlink), root's, writable by root only
# (0711: the daemons of other users, e.g. redis or exim, must reach their directories below it)
safe_dir() { [[ -d $1 && ! -L $1 && $(stat -c '%u %a' "$1") =~ ^0\ 7[01][01]$ ]]; }
# the state directory of the lab that is up (from the pointer), or nothing
recorded_state() {
  local d; d=$(cat "$POINTER" 2>/dev/null || true)
  if [[ $d == /* ]] && safe_dir "$d"; then echo "$d"; fi
}
new_state() {
  if [[ -n $STATE ]]; then
    safe_dir "$STATE" || die "KMAP_LAB_STATE=$STATE must be a directory (not a symlink) owned by root with mode 0700 or 0711"
  else
    STATE=$(mktemp -d "${TMPDIR:-/tmp}/kmap-lab-$P.XXXXXXXX")
    chmod 0711 "$STATE" # not listable, not writable by others; traversable by the daemons' users
  fi
  mkdir -p -m 0700 "$POINTER_DIR"
  echo "$STATE" >"$POINTER.tmp" && mv "$POINTER.tmp" "$POINTER"
}
# every block the lab's addresses come from: "family prefix" lines
lab_blocks() { echo "-4 ${NET4}.0/24"; echo "-6 ${NET6}/64"; [[ -z $ANYIP ]] || echo "-4 $ANYIP"; }
add_unreachable() {
  local fam pfx
  while read -r fam pfx; do ip "$fam" route replace unreachable "$pfx" metric "$UNREACHABLE_METRIC"; done < <(lab_blocks)
}
release() {
  local fam pfx
  while read -r fam pfx; do ip "$fam" route del unreachable "$pfx" metric "$UNREACHABLE_METRIC" 2>/dev/null || true; done < <(lab_blocks)
}
# routes listed by check_free that are ours
not_ours() { grep -v -E "^unreachable .*metric $UNREACHABLE_METRIC( |\$)" || true; }

tns() { echo "${P}-target$1"; }
hip4() { echo "${NET4}.$((10 + $1))"; }
hip6() { echo "${NET6}$((10 + $1))"; }
hmac() { printf '02:6b:6d:00:02:%02x' "$1"; }
# per-host value: KMAP_LAB_<name>_<n> if set (even empty), else the default
perhost() { local v="KMAP_LAB_$1_$2"; if [[ -n ${!v+x} ]]; then echo "${!v}"; else echo "$3"; fi; }
services_of() { local v="KMAP_LAB_SERVICES_$1"; echo "${!v:-}"; }
extras_of() { local v="KMAP_LAB_EXTRA_$1"; echo "${!v:-}"; }
# without_ports "LIST" "REMOVE": LIST minus the ports in REMOVE
without_ports() { local p r out=(); for p in $1; do for r in $2; do [[ $p == "$r" ]] && continue 2; done; out+=("$p"); done; echo "${out[*]}"; }
nftset() { local s; s=$(echo $1); echo "${s// /, }"; } # "80 443" -> "80, 443"

write_listener() {
  cat >"$STATE/listener.py" <<'EOF'
# kmap lab listener: listener.py "tcp ports" "udp ports"; binds :: (dual stack).
# TCP: accept, send "lab <local ip> <port>\r\n", close. UDP: echo from the address hit.
import selectors, signal, socket, sys
IPV6_RECVPKTINFO = getattr(socket, "IPV6_RECVPKTINFO", 49)
IPV6_PKTINFO = getattr(socket, "IPV6_PKTINFO", 50)
tcp = [int(p) for p in sys.argv[1].split()]
udp = [int(p) for p in sys.argv[2].split()]
sel = selectors.DefaultSelector()
def mk(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    if kind == socket.SOCK_DGRAM:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("::", port))
    s.setblocking(False)
    if kind == socket.SOCK_STREAM:
        # one python thread answers a whole AnyIP /16: a long queue rides out its stalls on a busy
        # machine (with 4096, a 200 ms stall under four scanners overflowed it: SYNs dropped)
        s.listen(32768)
    sel.register(s, selectors.EVENT_READ, (kind, port))
def local_ip(c):
    ip = c.getsockname()[0]
    return ip[7:] if ip.startswith("::ffff:") else ip
def on_tcp(s, port):
    for _ in range(1024):  # drain the accept queue, bounded
        try:
            c, _ = s.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        try:
            c.setblocking(False)
            c.send(f"lab {local_ip(c)} {port}\r\n".encode())
        except OSError:
            pass
        finally:
            c.close()
def on_udp(s):
    for _ in range(1024):
        try:
            data, anc, _, peer = s.recvmsg(65535, socket.CMSG_SPACE(20))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        ctl = [(socket.IPPROTO_IPV6, IPV6_PKTINFO, d[:16] + bytes(4))
               for lvl, typ, d in anc if lvl == socket.IPPROTO_IPV6 and typ == IPV6_PKTINFO]
        try:
            s.sendmsg([data], ctl, 0, peer)
        except OSError:
            pass
for p in tcp: mk(socket.SOCK_STREAM, p)
for p in udp: mk(socket.SOCK_DGRAM, p)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        kind, port = key.data
        if kind == socket.SOCK_STREAM:
            on_tcp(key.fileobj, port)
        else:
            on_udp(key.fileobj)
EOF
}

# a process that exists and is not a zombie (an exited listener stays a zombie until
# whoever adopted it, often PID 1, reaps it)
running() { [[ $1 =~ ^[0-9]+$ ]] && grep -qs '^State:[[:space:]]*[^Z[:space:]]' "/proc/$1/status"; }

down() {
  local ns pid f l pids=()
  local nss
  [[ -n $STATE ]] || STATE=$(recorded_state)
  nss=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}-target[0-9]+\$" || true)
  for f in "$STATE"/services/target*; do # the daemons first, each by its own pid files (clean database shutdown)
    [[ -d $f ]] || continue
    ns=$P-${f##*/}
    if [[ " $nss " == *" $ns "* ]]; then bash "$SERVICES_SH" stop "$ns" "$f" || true; fi
  done
  for ns in $nss; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do pids+=("$pid"); done
  done
  if [[ -d $STATE ]]; then
    for f in "$STATE"/*.pid; do # only if still our listener: pids get reused
      [[ -f $f ]] || continue
      pid=$(cat "$f")
      if running "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STATE/listener.py"; then pids+=("$pid"); fi
    done
  fi
  if ((${#pids[@]})); then
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 20); do # wait up to 2 s
      local alive=0
      for pid in "${pids[@]}"; do running "$pid" && alive=1; done
      ((alive)) || break
      sleep 0.1
    done
    for pid in "${pids[@]}"; do if running "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi; done
  fi
  for ns in $nss; do ip netns del "$ns" 2>/dev/null || true; done
  # the bridge lives in the root netns; routes via it go with it. Host-side veths vanish
  # with their peer's namespace, delete any leftover anyway.
  ip link del "$BR" 2>/dev/null || true
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^${P}-h[0-9]+\$" || true); do
    ip link del "$l" 2>/dev/null || true
  done
  nft delete table inet "$NFT_ROOT_TABLE" 2>/dev/null || true
  local old; old=$(recorded_state)
  [[ -z $STATE ]] || ! safe_dir "$STATE" || rm -rf "$STATE"
  [[ -z $old || $old == "$STATE" ]] || rm -rf "$old"
  rm -f "$POINTER"
  STATE=
}

# refuse to shadow anything that is not ours (call after down)
check_free() {
  local used
  used=$(ip -o -4 addr show to "${NET4}.0/24" 2>/dev/null; ip -o -4 route show table all root "${NET4}.0/24" 2>/dev/null | not_ours)
  [[ -z $used ]] || die "${NET4}.0/24 is already in use on this machine (pick another KMAP_LAB_NET4):"$'\n'"$used"
  used=$(ip -o -6 addr show to "${NET6}/64" 2>/dev/null; ip -o -6 route show table all root "${NET6}/64" 2>/dev/null | not_ours)
  [[ -z $used ]] || die "${NET6}/64 is already in use on this machine (pick another KMAP_LAB_NET6):"$'\n'"$used"
  if [[ -n $ANYIP ]]; then
    used=$(ip -o -4 addr show to "$ANYIP" 2>/dev/null; ip -o -4 route show table all root "$ANYIP" 2>/dev/null | not_ours)
    [[ -z $used ]] || die "$ANYIP is already in use on this machine (pick another KMAP_LAB_ANYIP):"$'\n'"$used"
  fi
}

up() {
  [[ -n $PY && -x $PY ]] || die "python3 not found (apt-get install python3)"
  command -v nft >/dev/null || die "nft not found (apt-get install nftables)"
  local given=$STATE
  STATE= # down removes the recorded lab's directory, not the one given for this lab
  down
  check_free
  add_unreachable
  STATE=$given
  new_state
  write_listener
  local i ns
  ip link add "$BR" type bridge stp_state 0 forward_delay 0
  ip link set "$BR" address 02:6b:6d:00:01:01
  sysctl -qw "net.ipv6.conf.$BR.disable_ipv6=0" "net.ipv6.conf.$BR.accept_dad=0" "net.ipv6.conf.$BR.accept_ra=0"
  ip addr add "${NET4}.1/24" dev "$BR"
  ip addr add "${NET6}1/64" dev "$BR" nodad
  ip link set "$BR" up

  for ((i = 1; i <= HOSTS; i++)); do
    ns=$(tns "$i")
    local tcp udp ftcp fudp
    tcp=$(perhost TCP_PORTS "$i" "$TCP_PORTS")
    udp=$(perhost UDP_PORTS "$i" "$UDP_PORTS")
    ftcp=$(perhost FILTERED_TCP_PORTS "$i" "$FILTERED_TCP")
    fudp=$(perhost FILTERED_UDP_PORTS "$i" "$FILTERED_UDP")
    if [[ -n $(services_of "$i") ]]; then # the daemons own their ports
      local sp; sp=$(bash "$SERVICES_SH" ports $(services_of "$i"))
      tcp=$(without_ports "$tcp" "$(sed -n 's/^tcp //p' <<<"$sp")")
      udp=$(without_ports "$udp" "$(sed -n 's/^udp //p' <<<"$sp")")
    fi
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
      net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ip netns exec "$ns" sysctl -qw net.core.somaxconn=32768 net.ipv4.tcp_max_syn_backlog=32768 2>/dev/null || true
    ip link add "${P}-h$i" type veth peer name eth0 netns "$ns"
    sysctl -qw "net.ipv6.conf.${P}-h$i.disable_ipv6=1" 2>/dev/null || true # a bridge port needs no address
    ip link set "${P}-h$i" master "$BR" up
    ip -n "$ns" link set eth0 address "$(hmac "$i")"
    ip -n "$ns" addr add "$(hip4 "$i")/24" dev eth0
    ip -n "$ns" addr add "$(hip6 "$i")/64" dev eth0 nodad
    local x
    for x in $(extras_of "$i"); do
      ip -n "$ns" addr add "${NET4}.$x/24" dev eth0
      ip -n "$ns" addr add "${NET6}$x/64" dev eth0 nodad
    done
    ip -n "$ns" link set eth0 up
    if [[ $OFFLOAD == off ]]; then
      ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null 2>&1 || true
      ethtool -K "${P}-h$i" tx off tso off gso off gro off >/dev/null 2>&1 || true
    fi
    if [[ $ICMP_RATELIMIT == 0 ]]; then # per-dest limit (burst 6, then 1/s) + per-netns global 1000/s
      ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
        net.ipv4.icmp_msgs_per_sec=10000000 net.ipv4.icmp_msgs_burst=10000000
    fi
    if [[ -n ${ftcp// /} || -n ${fudp// /} ]]; then
      {
        echo "table inet kmap_filter {"
        echo "  chain in {"
        echo "    type filter hook input priority 0;"
        [[ -n ${ftcp// /} ]] && echo "    tcp dport { $(nftset "$ftcp") } drop"
        [[ -n ${fudp// /} ]] && echo "    udp dport { $(nftset "$fudp") } drop"
        echo "  }"
        echo "}"
      } | ip netns exec "$ns" nft -f -
    fi
    ip netns exec "$ns" setsid "$PY" -u "$STATE/listener.py" "$tcp" "$udp" \
      >"$STATE/$ns.log" 2>&1 </dev/null &
    echo $! >"$STATE/$ns.pid"
    printf '%s\t%s\t%s\t%s\ttcp=[%s]\tudp=[%s]\tfiltered_tcp=[%s]\tfiltered_udp=[%s]\n' "$ns" "$(hip4 "$i")" \
      "$(hip6 "$i")" "$(hmac "$i")" "$tcp" "$udp" "$ftcp" "$fudp" >>"$STATE/hosts.tsv"
  done
  if [[ $OFFLOAD == off ]]; then ethtool -K "$BR" tx off tso off gso off >/dev/null 2>&1 || true; fi
  if [[ -n $DROP_RST_SPORTS ]]; then # only RSTs leaving through the lab bridge
    nft -f - <<NFT
table inet $NFT_ROOT_TABLE {
  chain out { type filter hook output priority 0; oifname "$BR" tcp sport ${DROP_RST_SPORTS/:/-} tcp flags & rst == rst drop; }
}
NFT
  fi
  if [[ -n $ANYIP ]]; then # target1 owns the whole prefix: every address in it is a live host
    ip -n "$(tns 1)" route add local "$ANYIP" dev lo
    ip route add "$ANYIP" via "$(hip4 1)" dev "$BR"
  fi
  # wait (bounded, 10 s in all) for every listener to report ready
  for ((i = 1; i <= HOSTS; i++)); do
    ns=$(tns "$i")
    for _ in $(seq 100); do grep -qs ready "$STATE/$ns.log" && break; sleep 0.1; done
    grep -qs ready "$STATE/$ns.log" || die "listener in $ns did not start: $(cat "$STATE/$ns.log" 2>/dev/null)"
  done
  # every host answers on its first open TCP port (IPv4), host 1 on IPv6 and AnyIP too
  local first
  for ((i = 1; i <= HOSTS; i++)); do
    first=$(perhost TCP_PORTS "$i" "$TCP_PORTS")
    if [[ -n $(services_of "$i") ]]; then
      first=$(without_ports "$first" "$(bash "$SERVICES_SH" ports $(services_of "$i") | sed -n 's/^tcp //p')")
    fi
    first=$(echo $first); first=${first%% *}
    [[ -n $first ]] || continue
    timeout 3 bash -c "exec 3<>/dev/tcp/$(hip4 "$i")/$first" || die "$(tns "$i") not reachable on $(hip4 "$i") tcp/$first"
    if ((i == 1)); then
      timeout 3 bash -c "exec 3<>/dev/tcp/$(hip6 1)/$first" || die "$(tns 1) not reachable on $(hip6 1) tcp/$first"
      if [[ -n $ANYIP ]]; then
        local any=${ANYIP%/*}; any=${any%.*}.$((${any##*.} + 1))
        timeout 3 bash -c "exec 3<>/dev/tcp/$any/$first" || die "AnyIP $any not reachable on tcp/$first"
      fi
    fi
  done
  for ((i = 1; i <= HOSTS; i++)); do
    [[ -z $(services_of "$i") ]] || bash "$SERVICES_SH" start "$(tns "$i")" "$STATE/services/target$i" $(services_of "$i")
  done
  if ((LOSS > 0)); then # last: the readiness checks above run on a clean link
    for ((i = 1; i <= HOSTS; i++)); do
      ip netns exec "$(tns "$i")" nft -f - <<NFT
table inet kmap_loss {
  chain in {
    type filter hook input priority -10;
    iifname "eth0" numgen random mod 100 < $LOSS drop
  }
  chain out {
    type filter hook output priority -10;
    oifname "eth0" numgen random mod 100 < $LOSS drop
  }
}
NFT
    done
  fi
  echo "lab up: prefix=$P hosts=$HOSTS anyip=${ANYIP:-none} loss=${LOSS}% ($STATE/hosts.tsv)"
  cat "$STATE/hosts.tsv"
}

status() {
  ip netns list | grep -E "^${P}-target[0-9]+( |\$)" || echo "no ${P}-target namespaces"
  ip -br addr show dev "$BR" 2>/dev/null || echo "no bridge $BR"
  [[ -z $ANYIP ]] || ip route show "$ANYIP" 2>/dev/null
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^${P}-target[0-9]+\$" || true); do
    echo "== $ns"; ip netns exec "$ns" ss -lntuH | awk '{print "  "$1" "$5}'
  done
}

validate
case ${1:-} in
  up) [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"; up ;;
  down) [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"; down; echo "lab down: prefix=$P (unreachable routes kept: lab.sh release)" ;;
  release) [[ $(id -u) -eq 0 ]] || die "must run as root"; release; echo "lab released: prefix=$P" ;;
  status) status ;;
  state) recorded_state ;;
  *) echo "usage: $0 up|down|release|status|state   (configuration: KMAP_LAB_* variables, see the header)" >&2; exit 2 ;;
esac
