package dev.kmap.lab

/**
 * A real network daemon from a Debian package that a lab host can run on its standard
 * port(s), started by the lab's `services.sh` inside the host's network namespace, as a
 * foreground child with its configuration and data in the lab's state directory, and
 * stopped when the lab goes down. What each one is configured to say (and the installed
 * versions) is in [ServiceFacts]; `bin/install-deps services` installs the packages.
 *
 * On a host with services, their ports are taken out of the python listener's ports.
 *
 * ```kotlin
 * LabConfig(prefix = "kmx", hosts = 1, net4 = "10.230.0", net6 = "fd10:230::", anyIpPrefix = null,
 *     services = mapOf(1 to setOf(LabService.NGINX, LabService.SSH, LabService.REDIS)))
 * ```
 *
 * @property scriptName the name `services.sh` (and `KMAP_LAB_SERVICES_<n>`) uses.
 * @property debianPackage the Debian package that provides the daemon.
 * @property tcpPorts the TCP ports it listens on (IPv4 and IPv6).
 * @property udpPorts the UDP ports it listens on (IPv4 and IPv6).
 */
public enum class LabService(
    public val scriptName: String,
    public val debianPackage: String,
    public val tcpPorts: Set<Int> = emptySet(),
    public val udpPorts: Set<Int> = emptySet(),
) {
    /** nginx: HTTP on 80 and HTTPS on 443 (TLS 1.2 and 1.3, ALPN h2 and http/1.1, a fixture certificate). */
    NGINX("nginx", "nginx", tcpPorts = setOf(80, 443)),

    /** OpenSSH's sshd on 22 with fixture host keys (ed25519, ecdsa, rsa); publickey and password auth. */
    SSH("sshd", "openssh-server", tcpPorts = setOf(22)),

    /** vsftpd on 21, anonymous login allowed (read only). */
    FTP("vsftpd", "vsftpd", tcpPorts = setOf(21)),

    /** Exim on 25 (SMTP; accepts no mail, lists its ESMTP extensions). */
    SMTP("exim", "exim4-daemon-light", tcpPorts = setOf(25)),

    /** redis-server on 6379, no password, nothing persisted. */
    REDIS("redis", "redis-server", tcpPorts = setOf(6379)),

    /** MariaDB on 3306 with its own fresh datadir; user `kmap` / `kmap-lab`. Starts in a few seconds. */
    MARIADB("mariadb", "mariadb-server", tcpPorts = setOf(3306)),

    /** PostgreSQL on 5432 with its own fresh cluster; user `postgres`, SCRAM-SHA-256 password `kmap-lab`. */
    POSTGRESQL("postgresql", "postgresql", tcpPorts = setOf(5432)),

    /** memcached on 11211 (TCP only). */
    MEMCACHED("memcached", "memcached", tcpPorts = setOf(11211)),

    /** NSD on 53 (UDP and TCP): authoritative for `kmap.lab` only, recursion refused, NSID `kmap-lab-dns`. */
    DNS("nsd", "nsd", tcpPorts = setOf(53), udpPorts = setOf(53)),

    /** chrony on 123/udp: serves time at stratum 8 from its local clock, no upstream servers, never sets the clock. */
    NTP("chrony", "chrony", udpPorts = setOf(123)),

    /** net-snmp's snmpd on 161/udp, community `public`, a fixed sysDescr. */
    SNMP("snmpd", "snmpd", udpPorts = setOf(161)),

    /** A second nginx on non-standard ports: HTTP on 18080, HTTPS on 18443 (the same page and certificate as [NGINX]). */
    NGINX_ALT("nginx-alt", "nginx", tcpPorts = setOf(18080, 18443)),

    /** dnsmasq on 53 (UDP and TCP), answering `version.bind`; no upstream servers. Not on the same host as [DNS]. */
    DNSMASQ("dnsmasq", "dnsmasq-base", tcpPorts = setOf(53), udpPorts = setOf(53)),

    /** mosquitto on 1883 (MQTT), anonymous clients allowed, so `$SYS/broker/version` is readable. */
    MQTT("mosquitto", "mosquitto", tcpPorts = setOf(1883)),

    /** TigerVNC's Xvnc on 5900 (an X server with a VNC front end), security type None. */
    VNC("vnc", "tigervnc-standalone-server", tcpPorts = setOf(5900)),
    ;

    /** Helpers over all services. */
    public companion object {
        /**
         * The service `services.sh` calls [name], or null.
         *
         * ```kotlin
         * LabService.byScriptName("nsd")   // LabService.DNS
         * ```
         */
        public fun byScriptName(name: String): LabService? = entries.firstOrNull { it.scriptName == name }
    }
}
