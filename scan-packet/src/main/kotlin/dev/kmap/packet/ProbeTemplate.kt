package dev.kmap.packet

/**
 * A prebuilt probe packet: its constant bytes are laid out once, and each probe costs a copy
 * into the caller's buffer plus patches of the fields that vary (addresses, ports, sequence
 * numbers, ids) and complete, correct checksums. Frames are Ethernet frames when built with
 * [ethernet], bare IP packets otherwise (for a raw-IP-socket [PacketIo]).
 *
 * Templates are immutable and thread-safe; `write` methods allocate nothing.
 *
 * ```kotlin
 * val syn = TcpProbeTemplate(route.source, eth, TcpFlags.SYN)
 * val n = syn.write(buffer, 0, target, sourcePort = 40000, destinationPort = 80, sequence = seq)
 * ```
 */
public abstract class ProbeTemplate internal constructor() {
    /** Bytes each `write` produces. */
    public abstract val length: Int

    /** The Ethernet addresses, or null for bare IP packets. */
    public abstract val ethernet: EthernetAddresses?

    /** True when the template builds IPv6 packets. */
    public abstract val isV6: Boolean
}
