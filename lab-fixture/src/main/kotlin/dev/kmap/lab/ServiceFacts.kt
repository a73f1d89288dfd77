package dev.kmap.lab

import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.util.Properties

/**
 * The ground truth about the [LabService]s running on one lab host: what each daemon is
 * configured to say (page title, robots.txt, banners, NSID, sysDescr, ...), what the fixture
 * generated for it (the TLS certificate's subject, validity and fingerprints, the SSH host key
 * fingerprints as `ssh-keygen -l` prints them) and the installed versions (from the daemons'
 * own `--version` output and `dpkg-query`). `services.sh` writes them to
 * `facts.properties` in the host's service directory when it starts the daemons; tests
 * assert exact script output against them.
 *
 * Each group ([http], [tls], [ssh], ...) exists only when its service runs on the host;
 * reading one that does not throws [LabException] naming the missing fact.
 *
 * ```kotlin
 * val facts = lab.facts(1)
 * assertEquals(facts.http.title, scriptOutput["title"])            // "kmap lab web server"
 * assertEquals(facts.tls.sha256, fingerprintOf(peerCertificate))   // lower-case hex
 * ```
 *
 * @property hostIndex the 1-based lab host these facts describe.
 * @property file the `facts.properties` they were read from.
 */
public class ServiceFacts internal constructor(
    public val hostIndex: Int,
    public val file: Path,
    private val values: Map<String, String>,
) {
    /** Every fact by key, e.g. `http.title`, `ssh.ed25519.sha256`. */
    public val all: Map<String, String> get() = values

    /** The services running on the host, in start order. */
    public val services: List<LabService> =
        values["services"].orEmpty().split(' ').filter { it.isNotEmpty() }.mapNotNull { LabService.byScriptName(it) }

    /** How long `services.sh start` took for all of them, in milliseconds. */
    public val startMillis: Long get() = this["startMillis"].toLong()

    /**
     * How long starting [service] took, in milliseconds.
     *
     * ```kotlin
     * println("mariadb: ${facts.startMillis(LabService.MARIADB)} ms")
     * ```
     */
    public fun startMillis(service: LabService): Long = this["startMillis.${service.scriptName}"].toLong()

    /**
     * The fact [key]; throws [LabException] if the fixture did not write it.
     *
     * ```kotlin
     * val title = facts["http.title"]
     * ```
     */
    public operator fun get(key: String): String = values[key]
        ?: throw LabException("no fact '$key' for lab host $hostIndex (running: ${values["services"]}; $file)")

    private fun list(key: String): List<String> = this[key].split(',').map { it.trim() }.filter { it.isNotEmpty() }

    /** [LabService.NGINX]'s HTTP facts. */
    public val http: Http get() = Http(this)

    /** [LabService.NGINX]'s TLS facts (port 443). */
    public val tls: Tls get() = Tls(this)

    /** [LabService.SSH]'s facts. */
    public val ssh: Ssh get() = Ssh(this)

    /** [LabService.FTP]'s facts. */
    public val ftp: Ftp get() = Ftp(this)

    /** [LabService.SMTP]'s facts. */
    public val smtp: Smtp get() = Smtp(this)

    /** [LabService.REDIS]'s facts. */
    public val redis: Redis get() = Redis(this)

    /** [LabService.MARIADB]'s facts. */
    public val mariadb: Mariadb get() = Mariadb(this)

    /** [LabService.POSTGRESQL]'s facts. */
    public val postgresql: Postgresql get() = Postgresql(this)

    /** [LabService.MEMCACHED]'s facts. */
    public val memcached: Memcached get() = Memcached(this)

    /** [LabService.DNS]'s facts. */
    public val dns: Dns get() = Dns(this)

    /** [LabService.NTP]'s facts. */
    public val ntp: Ntp get() = Ntp(this)

    /** [LabService.SNMP]'s facts. */
    public val snmp: Snmp get() = Snmp(this)

    /** [LabService.VNC]'s facts. */
    public val vnc: Vnc get() = Vnc(this)

    /** [LabService.DNSMASQ]'s facts. */
    public val dnsmasq: Dnsmasq get() = Dnsmasq(this)

    /** [LabService.MQTT]'s facts. */
    public val mqtt: Mqtt get() = Mqtt(this)

    /**
     * The upstream version of a Debian package version: `1:10.11.19-0+deb12u1` is `10.11.19`
     * (epoch and Debian revision dropped), `9.2p1-2+deb12u10` is `9.2p1`.
     *
     * ```kotlin
     * ServiceFacts.upstream(facts["ssh.package"])   // "9.2p1"
     * ```
     */
    public fun upstream(key: String): String = upstreamVersion(this[key])

    /**
     * dnsmasq on 53 (UDP and TCP).
     *
     * ```kotlin
     * assertEquals("dnsmasq-2.90", facts.dnsmasq.versionBind)
     * ```
     *
     * @property version dnsmasq's version (`2.90`).
     * @property versionBind its `version.bind` CH TXT answer (`dnsmasq-2.90`).
     */
    public class Dnsmasq internal constructor(f: ServiceFacts) {
        public val version: String = f["dnsmasq.version"]
        public val versionBind: String = f["dnsmasq.versionBind"]
    }

    /**
     * mosquitto on 1883.
     *
     * ```kotlin
     * assertEquals("2.0.11", facts.mqtt.version)
     * ```
     *
     * @property version mosquitto's version, as `$SYS/broker/version` says (`mosquitto version 2.0.11`).
     */
    public class Mqtt internal constructor(f: ServiceFacts) {
        public val version: String = f["mosquitto.version"]
    }

    /**
     * What nginx serves on port 80 (and 443).
     *
     * ```kotlin
     * assertEquals("kmap lab web server", facts.http.title)
     * ```
     *
     * @property server the `Server` header, e.g. `nginx/1.22.1`.
     * @property version nginx's version, e.g. `1.22.1`.
     * @property title the `<title>` of `/`.
     * @property robots the exact body of `/robots.txt`.
     * @property robotsDisallow the paths robots.txt disallows, in order.
     * @property headerName a custom header on every response, `X-Kmap-Lab`.
     * @property headerValue its value.
     * @property methods the methods in the `Allow` header of `OPTIONS /`; every other method gets 405.
     */
    public class Http internal constructor(f: ServiceFacts) {
        public val server: String = f["http.server"]
        public val version: String = f["nginx.version"]
        public val title: String = f["http.title"]
        public val robots: String = f["http.robots"]
        public val robotsDisallow: List<String> = f.list("http.robotsDisallow")
        public val headerName: String = f["http.headerName"]
        public val headerValue: String = f["http.headerValue"]
        public val methods: List<String> = f.list("http.methods")
    }

    /**
     * nginx's TLS on port 443: a self-signed RSA certificate the fixture generates at start.
     *
     * ```kotlin
     * assertEquals(facts.tls.subject, (session.peerCertificates[0] as X509Certificate).subjectX500Principal.name)
     * ```
     *
     * @property subject the certificate's subject, RFC 2253 (`CN=www.kmap.lab,O=kmap lab,C=XX`).
     * @property issuer its issuer (the same: self-signed).
     * @property serialHex its serial number in upper-case hex (`4B4D4150`).
     * @property notBefore start of validity (2025-01-01T00:00:00Z).
     * @property notAfter end of validity (2035-01-01T00:00:00Z).
     * @property sans subject alternative names as `DNS:www.kmap.lab`, `IP:10.218.0.11`, ... in order.
     * @property sha256 SHA-256 of the DER certificate, lower-case hex without colons.
     * @property sha1 SHA-1 of the DER certificate, lower-case hex without colons.
     * @property keyType `RSA`.
     * @property keyBits 2048.
     * @property certificateFile the PEM file (exists while the lab is up).
     * @property protocols `TLSv1.2`, `TLSv1.3`: nothing older is offered.
     * @property tls12Ciphers the TLS 1.2 suites in server preference order, OpenSSL names.
     * @property tls12CiphersIana the same, IANA names (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`, ...).
     * @property tls13Ciphers the TLS 1.3 suites in server preference order.
     * @property alpn the ALPN protocols, server preference order (`h2`, `http/1.1`).
     * @property alpnAccepted every protocol nginx accepts when a client offers only that one
     *   (`h2`, `http/1.1`, `http/1.0`, `http/0.9`: nginx's built-in list), as `tls-alpn` probes.
     */
    public class Tls internal constructor(f: ServiceFacts) {
        public val subject: String = f["tls.subject"]
        public val issuer: String = f["tls.issuer"]
        public val serialHex: String = f["tls.serial"]
        public val notBefore: Instant = utc(f["tls.notBeforeUtc"])
        public val notAfter: Instant = utc(f["tls.notAfterUtc"])
        public val sans: List<String> = f.list("tls.sans")
        public val sha256: String = f["tls.sha256"]
        public val sha1: String = f["tls.sha1"]
        public val keyType: String = f["tls.keyType"]
        public val keyBits: Int = f["tls.keyBits"].toInt()
        public val certificateFile: Path = Path.of(f["tls.certFile"])
        public val protocols: List<String> = f.list("tls.protocols")
        public val tls12Ciphers: List<String> = f.list("tls.tls12Ciphers")
        public val tls12CiphersIana: List<String> = f.list("tls.tls12CiphersIana")
        public val tls13Ciphers: List<String> = f.list("tls.tls13Ciphers")
        public val alpn: List<String> = f.list("tls.alpn")
        public val alpnAccepted: List<String> = f.list("tls.alpnAccepted")

        private companion object {
            private val GENERALIZED = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC)
            fun utc(s: String): Instant = Instant.from(GENERALIZED.parse(s))
        }
    }

    /**
     * One SSH host key, as `ssh-keygen -l` describes it.
     *
     * ```kotlin
     * val k = facts.ssh.hostKeys.getValue("ed25519")   // k.sha256 == "SHA256:8l7x..."
     * ```
     *
     * @property type `ed25519`, `ecdsa` or `rsa`.
     * @property bits key size (256, 256, 3072).
     * @property sha256 the fingerprint `SHA256:<base64 without padding>`.
     * @property md5 the fingerprint `MD5:aa:bb:...`.
     * @property keyType the SSH key type name (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`).
     * @property publicKey the base64 public key blob, as in the `.pub` file.
     */
    public class HostKey internal constructor(f: ServiceFacts, public val type: String) {
        public val bits: Int
        public val sha256: String
        public val md5: String
        public val keyType: String
        public val publicKey: String

        init {
            val s = f["ssh.$type.sha256"].split(' ')
            bits = s[0].toInt()
            sha256 = s[1]
            md5 = f["ssh.$type.md5"].split(' ')[1]
            val pub = f["ssh.$type.public"].split(' ')
            keyType = pub[0]
            publicKey = pub[1]
        }

        override fun toString(): String = "$bits $sha256 ($type)"
    }

    /**
     * sshd on port 22.
     *
     * ```kotlin
     * assertTrue(facts.ssh.banner.startsWith("SSH-2.0-OpenSSH_"))
     * ```
     *
     * @property banner the identification line it sends (`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10`).
     * @property version OpenSSH's version (`9.2p1`).
     * @property authMethods the methods it offers (`publickey`, `password`).
     * @property hostKeys the host keys by type: `ed25519`, `ecdsa`, `rsa`.
     */
    public class Ssh internal constructor(f: ServiceFacts) {
        public val banner: String = f["ssh.banner"]
        public val version: String = f["ssh.version"]
        public val authMethods: List<String> = f.list("ssh.authMethods")
        public val hostKeys: Map<String, HostKey> = listOf("ed25519", "ecdsa", "rsa").associateWith { HostKey(f, it) }
    }

    /**
     * vsftpd on port 21.
     *
     * ```kotlin
     * assertEquals("220 (vsFTPd 3.0.3)", facts.ftp.banner)
     * ```
     *
     * @property banner the greeting line.
     * @property version vsftpd's version.
     * @property anonymous whether anonymous login is allowed (true).
     * @property files the files anonymous users can read, relative to the FTP root.
     */
    public class Ftp internal constructor(f: ServiceFacts) {
        public val banner: String = f["ftp.banner"]
        public val version: String = f["ftp.version"]
        public val anonymous: Boolean = f["ftp.anonymous"].toBooleanStrict()
        public val files: List<String> = f.list("ftp.files")
    }

    /**
     * Exim on port 25.
     *
     * ```kotlin
     * assertEquals(facts.smtp.extensions, ehloLines.drop(1))
     * ```
     *
     * @property banner the greeting line.
     * @property version Exim's version.
     * @property hostname the name it greets with (`mail.kmap.lab`).
     * @property extensions the EHLO reply after the greeting line, one entry per line, in order.
     */
    public class Smtp internal constructor(f: ServiceFacts) {
        public val banner: String = f["smtp.banner"]
        public val version: String = f["smtp.version"]
        public val hostname: String = f["smtp.hostname"]
        public val extensions: List<String> = f.list("smtp.extensions")
    }

    /**
     * redis-server on port 6379.
     *
     * ```kotlin
     * assertTrue(info.contains("redis_version:${facts.redis.version}"))
     * ```
     *
     * @property version `redis_version` of `INFO`.
     */
    public class Redis internal constructor(f: ServiceFacts) {
        public val version: String = f["redis.version"]
    }

    /**
     * MariaDB on port 3306.
     *
     * ```kotlin
     * assertEquals("5.5.5-" + facts.mariadb.version, handshake.serverVersion)
     * ```
     *
     * @property version `SELECT VERSION()` (`10.11.19-MariaDB-0+deb12u1`); MariaDB 10's
     *   handshake packet prefixes it with `5.5.5-`.
     * @property user a user that may log in from the lab (`kmap`).
     * @property password its password.
     */
    public class Mariadb internal constructor(f: ServiceFacts) {
        public val version: String = f["mariadb.version"]
        public val user: String = f["mariadb.user"]
        public val password: String = f["mariadb.password"]
    }

    /**
     * PostgreSQL on port 5432.
     *
     * ```kotlin
     * assertEquals(facts.postgresql.serverVersion, parameterStatus["server_version"])
     * ```
     *
     * @property version PostgreSQL's version (`15.18`).
     * @property serverVersion the `server_version` parameter after login (`15.18 (Debian 15.18-0+deb12u1)`).
     * @property user the superuser (`postgres`).
     * @property password its password.
     * @property auth the authentication method every lab connection must use (`SCRAM-SHA-256`).
     */
    public class Postgresql internal constructor(f: ServiceFacts) {
        public val version: String = f["postgresql.version"]
        public val serverVersion: String = f["postgresql.serverVersion"]
        public val user: String = f["postgresql.user"]
        public val password: String = f["postgresql.password"]
        public val auth: String = f["postgresql.auth"]
    }

    /**
     * memcached on port 11211.
     *
     * ```kotlin
     * assertEquals("VERSION ${facts.memcached.version}", reply)
     * ```
     *
     * @property version the `version` command's answer.
     */
    public class Memcached internal constructor(f: ServiceFacts) {
        public val version: String = f["memcached.version"]
    }

    /**
     * NSD on port 53: authoritative for [zone] only; it never recurses.
     *
     * ```kotlin
     * assertEquals("kmap-lab-dns", facts.dns.nsid)
     * ```
     *
     * @property version NSD's version.
     * @property versionBind the `version.bind` CH TXT answer.
     * @property nsid the NSID it returns when asked (EDNS option 3).
     * @property identity the `id.server` CH TXT answer.
     * @property zone the zone it serves (`kmap.lab`; `www`, `ns1`, `mail` point to the host).
     * @property recursion false: queries outside the zone are REFUSED, RA is never set.
     * @property wwwAddress the A record of `www.<zone>` (the host's IPv4 address).
     */
    public class Dns internal constructor(f: ServiceFacts) {
        public val version: String = f["dns.version"]
        public val versionBind: String = f["dns.versionBind"]
        public val nsid: String = f["dns.nsid"]
        public val identity: String = f["dns.identity"]
        public val zone: String = f["dns.zone"]
        public val recursion: Boolean = f["dns.recursion"].toBooleanStrict()
        public val wwwAddress: String = f["dns.www"]
    }

    /**
     * chrony on 123/udp (mode 3 requests get mode 4 replies; chrony does not answer mode 6/7).
     *
     * ```kotlin
     * assertEquals(facts.ntp.stratum, reply[1].toInt())
     * ```
     *
     * @property daemon `chrony <version>`.
     * @property version chrony's version.
     * @property stratum the stratum it serves (8, from `local stratum 8`).
     * @property refidHex the reference id in replies, hex (`7f7f0101`, chrony's local clock).
     */
    public class Ntp internal constructor(f: ServiceFacts) {
        public val daemon: String = f["ntp.daemon"]
        public val version: String = f["ntp.version"]
        public val stratum: Int = f["ntp.stratum"].toInt()
        public val refidHex: String = f["ntp.refid"]
    }

    /**
     * snmpd on 161/udp (v1 and v2c, read-only community [community]).
     *
     * ```kotlin
     * assertEquals(facts.snmp.sysDescr, snmpGet("1.3.6.1.2.1.1.1.0"))
     * ```
     *
     * @property version net-snmp's version.
     * @property community the read-only community.
     * @property sysDescr SNMPv2-MIB::sysDescr.0.
     * @property sysName SNMPv2-MIB::sysName.0.
     * @property sysContact SNMPv2-MIB::sysContact.0.
     * @property sysLocation SNMPv2-MIB::sysLocation.0.
     */
    public class Snmp internal constructor(f: ServiceFacts) {
        public val version: String = f["snmp.version"]
        public val community: String = f["snmp.community"]
        public val sysDescr: String = f["snmp.sysDescr"]
        public val sysName: String = f["snmp.sysName"]
        public val sysContact: String = f["snmp.sysContact"]
        public val sysLocation: String = f["snmp.sysLocation"]
    }

    /**
     * TigerVNC's Xvnc on port 5900.
     *
     * ```kotlin
     * assertEquals("RFB 003.008", greeting)
     * ```
     *
     * @property version TigerVNC's version.
     * @property protocol the greeting without its newline.
     * @property securityTypes the offered security types by name (`None`).
     * @property desktop the desktop name in ServerInit.
     */
    public class Vnc internal constructor(f: ServiceFacts) {
        public val version: String = f["vnc.version"]
        public val protocol: String = f["vnc.protocol"]
        public val securityTypes: List<String> = f.list("vnc.securityTypes")
        public val desktop: String = f["vnc.desktop"]
    }

    override fun toString(): String = "ServiceFacts(host $hostIndex, ${values["services"]}, $file)"

    internal companion object {
        fun upstreamVersion(debian: String): String = debian.substringAfter(':').let { v -> if ('-' in v) v.substringBeforeLast('-') else v }

        /** Reads `facts.properties`; throws [LabException] when it is missing. */
        fun read(hostIndex: Int, file: Path): ServiceFacts {
            if (!Files.isRegularFile(file)) {
                throw LabException("no service facts for lab host $hostIndex: $file is missing (is the lab up, with services on that host?)")
            }
            val p = Properties()
            Files.newBufferedReader(file).use { p.load(it) }
            return ServiceFacts(hostIndex, file, p.stringPropertyNames().associateWith { p.getProperty(it) })
        }
    }
}
