package dev.kmap.script

import dev.kmap.dsl.Protocol
import dev.kmap.engine.PortState

/**
 * nmap's `shortport` helpers as [PortRule]s: match a port by number or service name, protocol and
 * state (open by default).
 *
 * ```kotlin
 * portRule(Shortport.http)
 * portRule(Shortport.portOrService(listOf(21), listOf("ftp")))
 * ```
 */
public object Shortport {
    private val OPEN = setOf(PortState.OPEN)

    /** The port's number is in [ports] (and its protocol and state match). */
    public fun portNumber(ports: Collection<Int>, protocols: Set<Protocol> = setOf(Protocol.TCP), states: Set<PortState> = OPEN): PortRule =
        PortRule { it.port.port in ports && it.protocol in protocols && it.state in states }

    /** The port's service name is in [services]. */
    public fun service(services: Collection<String>, protocols: Set<Protocol> = setOf(Protocol.TCP), states: Set<PortState> = OPEN): PortRule =
        PortRule { it.service in services && it.protocol in protocols && it.state in states }

    /** The port's number is in [ports] or its service is in [services]. */
    public fun portOrService(
        ports: Collection<Int>, services: Collection<String>,
        protocols: Set<Protocol> = setOf(Protocol.TCP), states: Set<PortState> = OPEN,
    ): PortRule = PortRule { (it.port.port in ports || it.service in services) && it.protocol in protocols && it.state in states }

    /** Web servers, as nmap's `shortport.http`: by port, or by service name (the detected one with `-sV`, e.g. http on 18080). */
    public val http: PortRule = portOrService(
        listOf(80, 443, 631, 7080, 8080, 8443, 8088, 5800, 3872, 8180, 8000),
        listOf("http", "https", "ipp", "http-alt", "https-alt", "vnc-http", "oem-agent", "soap", "http-proxy"),
    )

    /**
     * TLS services, as nmap's `shortport.ssl`: by the usual ports and service names, and any port
     * where service detection (`-sV`) found TLS (`ssl/http` on 18443 as well).
     */
    public val ssl: PortRule = run {
        val byTable = portOrService(
            listOf(261, 271, 324, 443, 465, 563, 585, 636, 853, 989, 990, 992, 993, 994, 995, 2221, 2252, 2376, 3269, 3389, 4911, 5061, 5986, 6679, 6697, 8443, 8883, 9001, 8531),
            listOf("https", "ssl", "imaps", "pop3s", "smtps", "ldapssl", "ftps", "ircs", "https-alt"),
        )
        PortRule { it.port.serviceInfo?.tunnel == "ssl" && it.isOpen || byTable.matches(it) }
    }

    /** Any open TCP port (e.g. for `banner`). */
    public val anyOpenTcp: PortRule = PortRule { it.isOpen && it.isTcp }
}
