#!/usr/bin/env bash
# services.sh - real Debian daemons on their standard ports inside one lab host's netns.
#
#   services.sh start NETNS DIR SERVICE...   configure and start them (stops any previous run in DIR first)
#   services.sh stop NETNS DIR               stop every daemon started in DIR, remove DIR
#   services.sh ports SERVICE...             print "tcp PORTS" and "udp PORTS" of the services
#   services.sh list                         the known service names
#
# SERVICE is one of: nginx nginx-alt sshd vsftpd exim redis mariadb postgresql memcached nsd dnsmasq
# mosquitto chrony snmpd vnc (nsd and dnsmasq both serve port 53: one of them per host)
#
# Every daemon runs in the foreground as a child of `ip netns exec NETNS setsid ...` (its own
# process group; no systemd, no init scripts), with its configuration, data, logs and pid
# file under DIR. `start` writes DIR/facts.properties: what the daemons are configured to
# say and the installed versions, the ground truth for exact assertions (lab-fixture's
# ServiceFacts reads it). Nothing here talks to anything outside the lab: the DNS server is
# authoritative only (recursion refused), chrony has no upstream servers and does not touch
# the system clock (-x), and the target namespaces have no default route anyway.
# lab.sh calls this for KMAP_LAB_SERVICES_<n>; it can also be run by hand (as root).
set -euo pipefail
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

ALL="nginx nginx-alt sshd vsftpd exim redis mariadb postgresql memcached nsd dnsmasq mosquitto chrony snmpd vnc"
PG_BIN=${KMAP_LAB_PG_BIN:-}
READY_TIMEOUT=${KMAP_LAB_SERVICE_TIMEOUT:-60} # seconds per daemon

die() { echo "services: $*" >&2; exit 1; }

tcp_ports() {
  case $1 in
    nginx) echo "80 443" ;; nginx-alt) echo "18080 18443" ;; dnsmasq) echo 53 ;; mosquitto) echo 1883 ;; sshd) echo 22 ;; vsftpd) echo 21 ;; exim) echo 25 ;; redis) echo 6379 ;;
    mariadb) echo 3306 ;; postgresql) echo 5432 ;; memcached) echo 11211 ;; nsd) echo 53 ;; vnc) echo 5900 ;;
    chrony | snmpd) ;;
    *) die "unknown service '$1' (known: $ALL)" ;;
  esac
}
udp_ports() {
  case $1 in
    nsd | dnsmasq) echo 53 ;; chrony) echo 123 ;; snmpd) echo 161 ;;
    nginx-alt | mosquitto) ;;
    nginx | sshd | vsftpd | exim | redis | mariadb | postgresql | memcached | vnc) ;;
    *) die "unknown service '$1' (known: $ALL)" ;;
  esac
}

# ---------------------------------------------------------------- facts
# facts.properties: java.util.Properties format (backslash, newline, CR escaped)
fact() {
  local v=$2
  v=${v//\\/\\\\}; v=${v//$'\n'/\\n}; v=${v//$'\r'/\\r}
  printf '%s=%s\n' "$1" "$v" >>"$DIR/facts.properties"
}
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

# ---------------------------------------------------------------- process control
running() { [[ $1 =~ ^[0-9]+$ ]] && grep -qs '^State:[[:space:]]*[^Z[:space:]]' "/proc/$1/status"; }

# launch NAME CMD...: in the netns, its own session and process group, pid in DIR/NAME.pid
launch() {
  local name=$1; shift
  ip netns exec "$NS" setsid "$@" >>"$DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/$name.pid"
}

# wait_port NAME tcp|udp PORT: until something in the netns listens there (bounded)
wait_port() {
  local name=$1 proto=$2 port=$3 flag pid i
  [[ $proto == tcp ]] && flag=-Hltn || flag=-Hlun
  pid=$(cat "$DIR/$name.pid")
  for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
    [[ -n $(ip netns exec "$NS" ss $flag "sport = :$port" 2>/dev/null) ]] && return 0
    running "$pid" || die "$name exited before listening on $proto/$port: $(tail -n 20 "$DIR/$name.log" 2>/dev/null)"
    sleep 0.1
  done
  die "$name not listening on $proto/$port after ${READY_TIMEOUT}s: $(tail -n 20 "$DIR/$name.log" 2>/dev/null)"
}

stop() {
  [[ -d $DIR ]] || return 0
  local f pid sig pids=() all=() i alive
  for f in "$DIR"/*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    [[ $pid =~ ^[0-9]+$ ]] || continue
    all+=("$pid")
    running "$pid" || continue
    pids+=("$pid")
    sig=TERM
    [[ ${f##*/} == postgresql.pid ]] && sig=INT # PostgreSQL's fast shutdown: TERM waits for clients
    kill -"$sig" "$pid" 2>/dev/null || true   # the daemon shuts its workers down itself
  done
  for ((i = 0; i < 100; i++)); do # up to 10 s (the databases shut down cleanly)
    alive=0
    for pid in "${pids[@]}"; do running "$pid" && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  # each daemon led its own process group: whatever of it is left goes now
  for pid in "${all[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  rm -rf "$DIR"
}

# ---------------------------------------------------------------- the services
HTTP_TITLE="kmap lab web server"
HTTP_HEADER_NAME="X-Kmap-Lab"
HTTP_HEADER_VALUE="fixture"
HTTP_METHODS="GET, HEAD, OPTIONS"
ROBOTS=$'User-agent: *\nDisallow: /admin/\nDisallow: /private/\n'
TLS_SUBJECT="/C=XX/O=kmap lab/CN=www.kmap.lab"
TLS_NOT_BEFORE=20250101000000Z
TLS_NOT_AFTER=20350101000000Z
TLS_SERIAL=4b4d4150 # "KMAP"
TLS12_CIPHERS=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305
TLS13_SUITES=TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256

tls_cert() { # self-signed RSA 2048 with fixed subject, SANs, serial and validity
  local d=$DIR/tls
  [[ -f $d/cert.pem ]] && return 0 # nginx and nginx-alt share one
  mkdir -p "$d"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/key.pem" 2>/dev/null
  openssl req -new -key "$d/key.pem" -subj "$TLS_SUBJECT" -out "$d/req.pem"
  : >"$d/index.txt"
  echo "$TLS_SERIAL" >"$d/serial"
  cat >"$d/ca.cnf" <<EOF
[ca]
default_ca = lab
[lab]
database = $d/index.txt
new_certs_dir = $d
serial = $d/serial
default_md = sha256
policy = any
x509_extensions = ext
unique_subject = no
copy_extensions = none
[any]
countryName = optional
organizationName = optional
commonName = supplied
[ext]
subjectAltName = DNS:www.kmap.lab, DNS:kmap.lab, IP:$IP4, IP:$IP6
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
EOF
  openssl ca -batch -config "$d/ca.cnf" -selfsign -keyfile "$d/key.pem" -in "$d/req.pem" -out "$d/cert.pem" \
    -startdate "$TLS_NOT_BEFORE" -enddate "$TLS_NOT_AFTER" -notext -preserveDN 2>"$d/ca.log" ||
    die "openssl ca failed: $(cat "$d/ca.log")"
  local c=$d/cert.pem
  fact tls.subject "$(openssl x509 -in "$c" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')"
  fact tls.issuer "$(openssl x509 -in "$c" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')"
  fact tls.serial "$(openssl x509 -in "$c" -noout -serial | sed 's/^serial=//')"
  fact tls.notBefore "$(openssl x509 -in "$c" -noout -startdate | sed 's/^notBefore=//')"
  fact tls.notAfter "$(openssl x509 -in "$c" -noout -enddate | sed 's/^notAfter=//')"
  fact tls.notBeforeUtc "$TLS_NOT_BEFORE"
  fact tls.notAfterUtc "$TLS_NOT_AFTER"
  fact tls.sans "DNS:www.kmap.lab,DNS:kmap.lab,IP:$IP4,IP:$IP6"
  fact tls.sha256 "$(openssl x509 -in "$c" -noout -fingerprint -sha256 | sed 's/^.*=//; s/://g' | tr 'A-F' 'a-f')"
  fact tls.sha1 "$(openssl x509 -in "$c" -noout -fingerprint -sha1 | sed 's/^.*=//; s/://g' | tr 'A-F' 'a-f')"
  fact tls.keyType RSA
  fact tls.keyBits 2048
  fact tls.certFile "$c"
  fact tls.protocols "TLSv1.2,TLSv1.3"
  fact tls.tls12Ciphers "${TLS12_CIPHERS//:/,}"
  fact tls.tls12CiphersIana "$(openssl ciphers -stdname -tls1_2 "$TLS12_CIPHERS" | awk '$1 ~ /_WITH_/ {print $1}' | paste -sd, -)"
  fact tls.tls13Ciphers "${TLS13_SUITES//:/,}"
  fact tls.alpn "h2,http/1.1"
  # what nginx accepts when a client offers ONE protocol: its built-in list (NGX_HTTP_ALPN_PROTOS
  # after h2), checked with `openssl s_client -alpn <p>`; spdy/3 and others get no ALPN
  fact tls.alpnAccepted "h2,http/1.1,http/1.0,http/0.9"
}

start_nginx() {
  local d=$DIR/nginx
  mkdir -p "$d/www" "$d/tmp"
  tls_cert
  printf '<!DOCTYPE html>\n<html><head><title>%s</title></head><body><h1>kmap lab</h1></body></html>\n' "$HTTP_TITLE" >"$d/www/index.html"
  printf '%s' "$ROBOTS" >"$d/www/robots.txt"
  chmod -R a+rX "$d/www"
  cat >"$d/nginx.conf" <<EOF
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
user www-data;
events { worker_connections 256; }
http {
  access_log off;
  server_tokens on;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  types { text/html html; text/plain txt; }
  default_type application/octet-stream;
  server {
    listen 80; listen [::]:80 ipv6only=on;
    listen 443 ssl http2; listen [::]:443 ssl http2 ipv6only=on;
    server_name www.kmap.lab;
    root $d/www;
    ssl_certificate $DIR/tls/cert.pem;
    ssl_certificate_key $DIR/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers $TLS12_CIPHERS;
    ssl_conf_command Ciphersuites $TLS13_SUITES;
    ssl_prefer_server_ciphers on;
    add_header $HTTP_HEADER_NAME "$HTTP_HEADER_VALUE" always;
    if (\$request_method !~ ^(GET|HEAD|OPTIONS)\$) { return 405; }
    location / {
      if (\$request_method = OPTIONS) {
        add_header Allow "$HTTP_METHODS" always;
        add_header $HTTP_HEADER_NAME "$HTTP_HEADER_VALUE" always;
        return 204;
      }
    }
  }
}
EOF
  launch nginx nginx -e "$d/error.log" -c "$d/nginx.conf" -g 'daemon off;'
  wait_port nginx tcp 80
  wait_port nginx tcp 443
  local v; v=$(nginx -v 2>&1); v=${v##*nginx/}
  fact nginx.version "$v"
  fact nginx.package "$(pkgver nginx)"
  fact http.server "nginx/$v"
  fact http.title "$HTTP_TITLE"
  fact http.robots "$ROBOTS"
  fact http.robotsDisallow "/admin/,/private/"
  fact http.headerName "$HTTP_HEADER_NAME"
  fact http.headerValue "$HTTP_HEADER_VALUE"
  fact http.methods "$HTTP_METHODS"
}

start_nginx-alt() { # a second nginx on non-standard ports: HTTP 18080, HTTPS 18443 (the same page and certificate)
  local d=$DIR/nginx-alt
  mkdir -p "$d/www" "$d/tmp"
  tls_cert
  printf '<!DOCTYPE html>\n<html><head><title>%s</title></head><body><h1>kmap lab</h1></body></html>\n' "$HTTP_TITLE" >"$d/www/index.html"
  chmod -R a+rX "$d/www"
  cat >"$d/nginx.conf" <<EOF
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
user www-data;
events { worker_connections 256; }
http {
  access_log off;
  server_tokens on;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  types { text/html html; text/plain txt; }
  default_type application/octet-stream;
  server {
    listen 18080; listen [::]:18080 ipv6only=on;
    listen 18443 ssl; listen [::]:18443 ssl ipv6only=on;
    server_name www.kmap.lab;
    root $d/www;
    ssl_certificate $DIR/tls/cert.pem;
    ssl_certificate_key $DIR/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
  }
}
EOF
  launch nginx-alt nginx -e "$d/error.log" -c "$d/nginx.conf" -g 'daemon off;'
  wait_port nginx-alt tcp 18080
  wait_port nginx-alt tcp 18443
  local v; v=$(nginx -v 2>&1); v=${v##*nginx/}
  fact nginx.version "$v"
  fact nginx.package "$(pkgver nginx)"
  fact nginxAlt.httpPort 18080
  fact nginxAlt.httpsPort 18443
  fact http.title "$HTTP_TITLE"
  fact http.server "nginx/$v"
}

start_dnsmasq() { # DNS on 53 (UDP and TCP) answering version.bind; no upstream servers, only its own names
  local d=$DIR/dnsmasq
  mkdir -p "$d"
  printf '%s www.kmap.lab\n' "$IP4" >"$d/hosts"
  launch dnsmasq dnsmasq -k --conf-file=/dev/null --port=53 --listen-address="$IP4" --listen-address="$IP6" \
    --bind-interfaces --no-resolv --no-hosts --addn-hosts="$d/hosts" --pid-file="$d/dnsmasq.pid" --user=nobody \
    --log-facility="$d/dnsmasq.log"
  wait_port dnsmasq udp 53
  wait_port dnsmasq tcp 53
  local v; v=$(dnsmasq --version | sed -n 1p | awk '{print $3}')
  fact dnsmasq.version "$v"
  fact dnsmasq.package "$(pkgver dnsmasq-base)"
  fact dnsmasq.versionBind "dnsmasq-$v"
}

start_mosquitto() { # MQTT on 1883, anonymous clients allowed ($SYS/broker/version is readable)
  local d=$DIR/mosquitto
  mkdir -p "$d"
  touch "$d/mosquitto.log"
  chown -R mosquitto: "$d" 2>/dev/null || true
  cat >"$d/mosquitto.conf" <<EOF
listener 1883
allow_anonymous true
persistence false
log_dest file $d/mosquitto.log
user mosquitto
EOF
  launch mosquitto mosquitto -c "$d/mosquitto.conf"
  wait_port mosquitto tcp 1883
  local v; v=$( (mosquitto -h 2>&1 || true) | sed -n 1p | awk '{print $3}')
  fact mosquitto.version "$v"
  fact mosquitto.package "$(pkgver mosquitto)"
}

start_sshd() {
  local d=$DIR/sshd t
  mkdir -p "$d" /run/sshd
  chmod 700 "$d"
  for t in ed25519 ecdsa rsa; do
    case $t in ecdsa) ssh-keygen -q -t ecdsa -b 256 -N '' -C kmap-lab -f "$d/ssh_host_${t}_key" ;;
      rsa) ssh-keygen -q -t rsa -b 3072 -N '' -C kmap-lab -f "$d/ssh_host_${t}_key" ;;
      *) ssh-keygen -q -t "$t" -N '' -C kmap-lab -f "$d/ssh_host_${t}_key" ;; esac
  done
  cat >"$d/sshd_config" <<EOF
Port 22
ListenAddress 0.0.0.0
ListenAddress ::
HostKey $d/ssh_host_ed25519_key
HostKey $d/ssh_host_ecdsa_key
HostKey $d/ssh_host_rsa_key
PidFile $d/sshd.pid
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
UseDNS no
EOF
  launch sshd /usr/sbin/sshd -D -e -f "$d/sshd_config"
  wait_port sshd tcp 22
  local v=$(pkgver openssh-server) up deb
  v=${v#*:}; up=${v%%-*}; deb=${v#*-}
  fact ssh.banner "SSH-2.0-OpenSSH_$up Debian-$deb"
  fact ssh.version "$up"
  fact ssh.package "$(pkgver openssh-server)"
  fact ssh.authMethods "publickey,password"
  for t in ed25519 ecdsa rsa; do
    fact "ssh.$t.sha256" "$(ssh-keygen -l -E sha256 -f "$d/ssh_host_${t}_key.pub")"
    fact "ssh.$t.md5" "$(ssh-keygen -l -E md5 -f "$d/ssh_host_${t}_key.pub")"
    fact "ssh.$t.public" "$(cat "$d/ssh_host_${t}_key.pub")"
  done
}

start_vsftpd() {
  local d=$DIR/vsftpd
  mkdir -p "$d/root/pub" "$d/empty"
  echo "kmap lab anonymous ftp" >"$d/root/pub/README.txt"
  chmod -R a+rX,go-w "$d"
  cat >"$d/vsftpd.conf" <<EOF
listen=NO
listen_ipv6=YES
listen_port=21
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$d/root
local_enable=NO
write_enable=NO
secure_chroot_dir=$d/empty
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=30099
xferlog_enable=NO
vsftpd_log_file=$d/vsftpd.log
seccomp_sandbox=NO
ftp_username=ftp
EOF
  launch vsftpd vsftpd "$d/vsftpd.conf"
  wait_port vsftpd tcp 21
  local v; v=$(vsftpd -v 0>&1 2>&1); v=${v##* }
  fact ftp.version "$v"
  fact ftp.banner "220 (vsFTPd $v)"
  fact ftp.anonymous true
  fact ftp.files "pub/README.txt"
}

start_exim() {
  local d=$DIR/exim
  mkdir -p "$d/spool" "$d/log"
  chown -R Debian-exim:Debian-exim "$d"
  cat >"$d/exim.conf" <<EOF
primary_hostname = mail.kmap.lab
spool_directory = $d/spool
log_file_path = $d/log/%slog
keep_environment =
pid_file_path = $d/exim.pid
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
daemon_smtp_ports = 25
smtp_banner = mail.kmap.lab ESMTP Exim \$version_number
tls_advertise_hosts =
host_lookup =
rfc1413_hosts =
message_size_limit = 10M
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  deny message = relay not permitted

begin routers
begin transports
EOF
  chmod 644 "$d/exim.conf"
  launch exim exim4 -C "$d/exim.conf" -bdf
  wait_port exim tcp 25
  local v; v=$(exim4 -bV 2>/dev/null | sed -n 1p | awk '{print $3}')
  fact smtp.version "$v"
  fact smtp.banner "220 mail.kmap.lab ESMTP Exim $v"
  fact smtp.hostname mail.kmap.lab
  fact smtp.extensions "SIZE 10485760,8BITMIME,PIPELINING,PIPECONNECT,CHUNKING,SMTPUTF8,HELP" # exim 4.96 defaults with this config
}

start_redis() {
  local d=$DIR/redis
  mkdir -p "$d"
  chown redis:redis "$d"
  cat >"$d/redis.conf" <<EOF
port 6379
bind * -::*
protected-mode no
daemonize no
dir $d
pidfile $d/redis.pid
logfile ""
save ""
appendonly no
EOF
  launch redis setpriv --reuid=redis --regid=redis --init-groups redis-server "$d/redis.conf"
  wait_port redis tcp 6379
  local v; v=$(redis-server --version); v=${v#*v=}; v=${v%% *}
  fact redis.version "$v"
  fact redis.package "$(pkgver redis-server)"
}

start_mariadb() {
  local d=$DIR/mariadb
  mkdir -p "$d/data"
  chown -R mysql:mysql "$d"
  cat >"$d/init.sql" <<'EOF'
CREATE USER IF NOT EXISTS 'kmap'@'%' IDENTIFIED BY 'kmap-lab';
GRANT SELECT ON *.* TO 'kmap'@'%';
EOF
  chmod 644 "$d/init.sql"
  mariadb-install-db --no-defaults --datadir="$d/data" --user=mysql --skip-test-db \
    --auth-root-authentication-method=socket >"$d/install.log" 2>&1 || die "mariadb-install-db failed: $(tail -n 20 "$d/install.log")"
  launch mariadb mariadbd --no-defaults --datadir="$d/data" --user=mysql --port=3306 --bind-address='*' \
    --socket="$d/mysqld.sock" --pid-file="$d/mariadbd.pid" --log-error="$d/error.log" --skip-name-resolve \
    --init-file="$d/init.sql" --innodb-buffer-pool-size=16M --innodb-log-file-size=8M --skip-log-bin \
    --performance-schema=OFF
  wait_port mariadb tcp 3306
  local v; v=$(mariadbd --version); v=${v#*Ver }; v=${v%% *}
  fact mariadb.version "$v"
  fact mariadb.package "$(pkgver mariadb-server)"
  fact mariadb.user kmap
  fact mariadb.password kmap-lab
}

pg_bin() {
  [[ -n $PG_BIN ]] && { echo "$PG_BIN"; return; }
  local b; b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -n $b ]] || die "postgresql not installed (bin/install-deps services)"
  echo "$b"
}
start_postgresql() {
  local d=$DIR/postgresql bin
  bin=$(pg_bin)
  mkdir -p "$d"
  echo kmap-lab >"$d/pwfile"
  chown -R postgres:postgres "$d"
  chmod 700 "$d"
  setpriv --reuid=postgres --regid=postgres --init-groups "$bin/initdb" -D "$d/data" -U postgres \
    --auth=scram-sha-256 --pwfile="$d/pwfile" -E UTF8 --locale=C --no-sync >"$d/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 20 "$d/initdb.log")"
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$d/data/pg_hba.conf"
  launch postgresql setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$d/data" \
    -c listen_addresses='*' -c port=5432 -c unix_socket_directories="$d" -c fsync=off -c ssl=off \
    -c logging_collector=off -c shared_buffers=16MB
  wait_port postgresql tcp 5432
  local v; v=$("$bin/postgres" -V); v=${v#*) }
  fact postgresql.serverVersion "$v"
  v=${v%% *}
  fact postgresql.version "$v"
  fact postgresql.package "$(pkgver postgresql-${v%%.*})"
  fact postgresql.user postgres
  fact postgresql.password kmap-lab
  fact postgresql.auth SCRAM-SHA-256
}

start_memcached() {
  launch memcached memcached -u memcache -l 0.0.0.0,[::] -p 11211 -U 0 -m 16 -c 256
  wait_port memcached tcp 11211
  local v; v=$(memcached -V); v=${v##* }
  fact memcached.version "$v"
}

start_nsd() {
  local d=$DIR/nsd
  mkdir -p "$d"
  cat >"$d/kmap.lab.zone" <<EOF
\$ORIGIN kmap.lab.
\$TTL 300
@     IN SOA ns1.kmap.lab. hostmaster.kmap.lab. 2025010101 3600 600 86400 300
@     IN NS  ns1.kmap.lab.
@     IN A   $IP4
ns1   IN A   $IP4
ns1   IN AAAA $IP6
www   IN A   $IP4
www   IN AAAA $IP6
mail  IN A   $IP4
@     IN MX  10 mail.kmap.lab.
@     IN TXT "kmap lab zone"
EOF
  cat >"$d/nsd.conf" <<EOF
server:
  ip-address: 0.0.0.0
  ip-address: ::
  port: 53
  do-ip4: yes
  do-ip6: yes
  username: ""
  chroot: ""
  zonesdir: "$d"
  zonelistfile: "$d/zone.list"
  database: ""
  pidfile: "$d/nsd.pid"
  xfrdfile: "$d/xfrd.state"
  xfrdir: "$d"
  logfile: "$d/nsd.log"
  server-count: 1
  identity: "kmap-lab-dns"
  nsid: "ascii_kmap-lab-dns"
  hide-version: no
  hide-identity: no
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: kmap.lab
  zonefile: kmap.lab.zone
EOF
  launch nsd nsd -d -c "$d/nsd.conf"
  wait_port nsd udp 53
  wait_port nsd tcp 53
  local v; v=$(nsd -v 2>&1 | sed -n 1p); v=${v##* }
  fact dns.version "$v"
  fact dns.versionBind "NSD $v"
  fact dns.nsid kmap-lab-dns
  fact dns.identity kmap-lab-dns
  fact dns.zone kmap.lab
  fact dns.recursion false
  fact dns.www "$IP4"
}

start_chrony() {
  local d=$DIR/chrony
  mkdir -p "$d"
  chown _chrony:_chrony "$d"
  cat >"$d/chrony.conf" <<EOF
# no upstream servers: this host is its own (local) reference and serves the lab
local stratum 8
allow all
cmdport 0
bindcmdaddress /
pidfile $d/chronyd.pid
EOF
  # -x: never touch the system clock (it is shared with the root namespace)
  launch chrony chronyd -d -x -u _chrony -f "$d/chrony.conf"
  wait_port chrony udp 123
  local v; v=$(chronyd -v); v=${v#*version }; v=${v%% *}
  fact ntp.version "$v"
  fact ntp.daemon "chrony $v"
  fact ntp.stratum 8
  fact ntp.refid 7f7f0101 # chrony's local reference: 127.127.1.1
}

start_snmpd() {
  local d=$DIR/snmpd
  mkdir -p "$d"
  cat >"$d/snmpd.conf" <<EOF
agentAddress udp:161,udp6:161
rocommunity public default
rocommunity6 public default
sysDescr kmap lab snmpd
sysName kmap-lab
sysContact lab@kmap.lab
sysLocation kmap lab rack 1
sysServices 72
EOF
  SNMP_PERSISTENT_DIR=$d MIBS= launch snmpd snmpd -f -I -smux -C -c "$d/snmpd.conf" -p "$d/snmpd.pid" -Lf "$d/snmpd.log"
  wait_port snmpd udp 161
  local v; v=$(snmpd -v | awk '/version/ {if (!v) v = $NF} END {print v}')
  fact snmp.version "$v"
  fact snmp.package "$(pkgver snmpd)"
  fact snmp.community public
  fact snmp.sysDescr "kmap lab snmpd"
  fact snmp.sysName kmap-lab
  fact snmp.sysContact lab@kmap.lab
  fact snmp.sysLocation "kmap lab rack 1"
}

start_vnc() {
  local d=$DIR/vnc
  mkdir -p "$d"
  # Xvnc is an X server: give it a private /tmp (its lock file and X socket) so display :1
  # never collides with another lab or a real X server
  launch vnc unshare -m --propagation private sh -c \
    'mount -t tmpfs -o size=16m tmpfs /tmp && exec Xvnc :1 -rfbport 5900 -SecurityTypes None -geometry 800x600 -depth 24 -desktop "kmap lab" -nolisten tcp -AlwaysShared'
  wait_port vnc tcp 5900
  local v; v=$(Xvnc -version 2>&1 | awk '/TigerVNC/ {if (!v) v = $3} END {print v}')
  fact vnc.version "$v"
  fact vnc.protocol "RFB 003.008"
  fact vnc.securityTypes "None"
  fact vnc.desktop "kmap lab"
}

# ---------------------------------------------------------------- main
cmd=${1:-}
case $cmd in
  list) echo "$ALL"; exit 0 ;;
  ports)
    shift
    t=() u=()
    for s in "$@"; do t+=($(tcp_ports "$s")); u+=($(udp_ports "$s")); done
    echo "tcp ${t[*]}"
    echo "udp ${u[*]}"
    exit 0
    ;;
  start | stop) ;;
  *) echo "usage: $0 start NETNS DIR SERVICE... | stop NETNS DIR | ports SERVICE... | list" >&2; exit 2 ;;
esac
[[ $# -ge 3 ]] || die "usage: $0 $cmd NETNS DIR${cmd/stop/}${cmd/start/ SERVICE...}"
NS=$2 DIR=$3
shift 3
[[ $DIR == /* && $DIR != / ]] || die "DIR must be an absolute path: '$DIR'"
[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
ip netns list | awk '{print $1}' | grep -qx -- "$NS" || die "no network namespace '$NS' (is the lab up?)"

if [[ $cmd == stop ]]; then stop; exit 0; fi

for s in "$@"; do tcp_ports "$s" >/dev/null; done # validate names first
stop
mkdir -p "$DIR"
chmod 755 "$DIR"
IP4=$(ip -n "$NS" -o -4 addr show dev eth0 | awk '{print $4}' | cut -d/ -f1 | sed -n 1p)
IP6=$(ip -n "$NS" -o -6 addr show dev eth0 scope global | awk '{print $4}' | cut -d/ -f1 | sed -n 1p)
[[ -n $IP4 && -n $IP6 ]] || die "no addresses on eth0 in $NS"
: >"$DIR/facts.properties"
fact host.ipv4 "$IP4"
fact host.ipv6 "$IP6"
fact services "$*"
t0=$(date +%s%N)
for s in "$@"; do
  s0=$(date +%s%N)
  "start_$s"
  fact "startMillis.$s" $((($(date +%s%N) - s0) / 1000000))
done
fact startMillis $((($(date +%s%N) - t0) / 1000000))
echo "services up in $NS: $* ($((($(date +%s%N) - t0) / 1000000)) ms; $DIR/facts.properties)"
