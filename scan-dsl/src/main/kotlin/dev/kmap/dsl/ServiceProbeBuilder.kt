package dev.kmap.dsl

import java.util.function.Consumer

/**
 * The receiver of `probe(name) { }`: ports, payload, rarity, waits and match rules of one
 * [ServiceProbe].
 *
 * ```kotlin
 * probe("acme") {
 *     tcp(9000, 9001)
 *     send("HELLO\r\n")
 *     match("^ACME (\\d+\\.\\d+)") { product = "Acme"; version = group(1) }
 *     softmatch("acme", "^ACME")
 * }
 * ```
 */
@KmapDsl
public class ServiceProbeBuilder(private val name: String) {
    private var protocol = Protocol.TCP
    private var payload = ""
    private var ports = PortList.EMPTY
    private var sslPorts = PortList.EMPTY
    private val fallback = ArrayList<String>()
    private val matches = ArrayList<ServiceMatch>()

    /** How rare a hit is, 1..9 (default 1: always sent). */
    public var rarity: Int = 1

    /** How long to wait for a reply at most, in milliseconds. */
    public var waitMillis: Long = ServiceProbe.DEFAULT_WAIT_MILLIS

    /** The service name that [match] without a name reports (default: the probe's name). */
    public var service: String = name

    /** A TCP probe, tried first on [ports]. */
    public fun tcp(vararg ports: Int) { protocol = Protocol.TCP; this.ports += PortList.of(*ports) }

    /** A UDP probe, tried first on [ports]. */
    public fun udp(vararg ports: Int) { protocol = Protocol.UDP; this.ports += PortList.of(*ports) }

    /** The same probe inside TLS on [ports]. */
    public fun sslPorts(vararg ports: Int) { sslPorts += PortList.of(*ports) }

    /** Sends [text] (its characters must be U+0000..U+00FF: they are the bytes). */
    public fun send(text: String) { payload = text }

    /** Sends [bytes]. */
    public fun send(bytes: ByteArray) { payload = String(bytes, Charsets.ISO_8859_1) }

    /** Also tries the matches of the probes named [probes] on this probe's reply. */
    public fun fallback(vararg probes: String) { fallback += probes }

    /** A match rule for [service] (the probe's [service] by default). */
    public fun match(pattern: String, service: String = this.service, block: ServiceMatchBuilder.() -> Unit = {}) {
        matches += ServiceMatchBuilder(service, pattern, soft = false).apply(block).build()
    }

    /** Java: a match rule for the probe's [service]. */
    public fun match(pattern: String, block: Consumer<ServiceMatchBuilder>) {
        matches += ServiceMatchBuilder(service, pattern, soft = false).also { block.accept(it) }.build()
    }

    /** A soft match: the port runs [service], and later probes look for the product. */
    public fun softmatch(service: String, pattern: String, block: ServiceMatchBuilder.() -> Unit = {}) {
        matches += ServiceMatchBuilder(service, pattern, soft = true).apply(block).build()
    }

    /** The probe built so far. */
    public fun build(): ServiceProbe = ServiceProbe(
        name = name, protocol = protocol, payload = payload, ports = ports, sslPorts = sslPorts, rarity = rarity,
        totalWaitMillis = waitMillis, fallback = fallback.toList(), matches = matches.toList(),
    )
}
