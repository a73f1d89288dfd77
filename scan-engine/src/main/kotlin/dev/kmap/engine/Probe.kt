package dev.kmap.engine

import dev.kmap.dsl.IpAddress
import java.net.InetAddress

/**
 * One probe in flight: a [port] of [address], the [attempt] number (0 for the first send), and
 * [sentAtNanos]. Modules may keep their own handle in [attachment] (a socket, say).
 * The engine keeps probes only while they are in flight.
 *
 * ```kotlin
 * override fun send(probe: Probe): SendResult { probe.attachment = openSocket(probe.address, probe.port); return SendResult.SENT }
 * ```
 */
public class Probe internal constructor(
    /** Destination address. */
    public val address: InetAddress,
    /** Destination port (0 for probes without one, such as ICMP echo). */
    public val port: Int,
    /** 0 for the first send, 1 for the first retransmission... */
    public val attempt: Int,
    internal val slot: Int,
    internal val portIndex: Int,
    /** [address] as kmap's own type, made once per host by the engine (raw sessions send by it: no conversion per probe). */
    internal val ip: IpAddress = IpAddress.ofBytes(address.address),
) {
    /** When the probe was sent, in the engine clock's nanoseconds. */
    public var sentAtNanos: Long = 0
        internal set

    /** The module's own per-probe handle. */
    public var attachment: Any? = null

    internal var done: Boolean = false

    /** A session's own int handle for this probe (the native connect session: its socket's descriptor), -1 when none: no boxing per probe. */
    internal var handle: Int = -1

    /** When the previous attempt was sent (0 for the first). */
    internal var previousSentNanos: Long = 0

    /** Attempts so far that do not count against the retry limit (sent at a pace proven too fast). */
    internal var uncountedAttempts: Int = 0

    /** Parked by a raw session until its next hop's MAC is known (bounded wait): the loop allows for that wait. */
    internal var waitsForNeighbour: Boolean = false

    /** Which re-probe of a silent probe this attempt is (sent at a lower rate before it is called silent; 0: none). */
    internal var reprobeRound: Int = 0

    /** This attempt is a re-probe ([reprobeRound] 1 or more). */
    internal val reprobe: Boolean get() = reprobeRound > 0

    /** A re-probe of a later round goes no sooner than this, on its loop's clock. */
    internal var notBeforeNanos: Long = Long.MIN_VALUE

    /** Sent to a host that had answered nothing of its loop yet: such probes take at most a share of the window. */
    internal var toSilentHost: Boolean = false

    /** Which send of its loop this attempt was (0 for the first), retransmissions counted. */
    internal var sendSeq: Long = 0

    /** Not a probe of the scan: a copy of one that was answered, sent to learn whether the path carries answers (its answer reaches no listener). */
    internal var witness: Boolean = false

    internal fun retry(): Probe = Probe(address, port, attempt + 1, slot, portIndex, ip).also {
        it.previousSentNanos = sentAtNanos
        it.uncountedAttempts = uncountedAttempts
    }

    override fun toString(): String = "Probe(${address.hostAddress}:$port, attempt $attempt)"
}
