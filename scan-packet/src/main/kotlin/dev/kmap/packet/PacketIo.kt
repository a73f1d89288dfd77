package dev.kmap.packet

import dev.kmap.packet.internal.PacketIoFactory

/**
 * Raw packet I/O on one network interface: send batches of prebuilt packets, receive what a
 * kernel BPF filter lets through. Implementations: [PcapPacketIo] (Ethernet interfaces; sends
 * Ethernet frames), [RawSocketPacketIo] (loopback and IP-only interfaces; sends IP packets
 * through a raw IP socket and captures with libpcap), [FakePacketIo] (unit tests) and
 * [DryRunPacketIo] (prints what would be sent). [capabilities] says which framing [send] takes
 * and [receive] delivers.
 *
 * Threading: [send] is called from one thread (the transmit loop) and [receive] from another
 * (the receive loop); neither is called concurrently with itself. [setFilter] and [stats] may
 * be called from any thread; [close] from any thread, after which [send] and [receive] return 0.
 * [receive] never blocks longer than its timeout.
 *
 * ```kotlin
 * PacketIo.open("kmp-br0", PacketIoOptions(filter = "tcp and dst host 10.208.0.1")).use { io ->
 *     val batch = PacketBatch(64)
 *     val n = syn.write(batch.nextBuffer(), 0, dst, 40000, 80, seq)
 *     batch.commit(n)
 *     io.send(batch)
 *     io.receive(timeoutNanos = 100_000_000) { buf, off, len, _ -> println(ReplyParser.parse(buf, off, len, io.capabilities.linkType)) }
 * }
 * ```
 */
public interface PacketIo : AutoCloseable {
    /** The interface, e.g. `eth0`, `lo`. */
    public val interfaceName: String

    /** What this I/O sends and receives. */
    public val capabilities: PacketIoCapabilities

    /**
     * Sends the packets of [batch] in order, each framed as [PacketIoCapabilities.canInjectFrames]
     * says (Ethernet frames, or bare IP packets). Returns how many packets it consumed: sent, or
     * rejected for good by the kernel (no route to that destination: counted in
     * [PacketIoStats.sendFailed] and skipped). Fewer than `batch.size` only when the kernel's
     * buffers are full right now: retry the rest later, e.g. after [PacketBatch.dropFirst]. May
     * wait briefly for socket buffer space, never indefinitely. Raises [PacketIoException] when
     * the interface fails (down, gone).
     *
     * ```kotlin
     * val sent = io.send(batch); batch.dropFirst(sent)
     * ```
     */
    public fun send(batch: PacketBatch): Int

    /**
     * Hands captured packets that pass the filter to [sink], at most [maxPackets]; waits at most
     * [timeoutNanos] for the first (0: do not wait) and returns how many were delivered. The
     * buffer passed to [sink] is valid only during the call. Packets are framed as
     * [PacketIoCapabilities.linkType].
     *
     * ```kotlin
     * val n = io.receive(50_000_000) { buf, off, len, ts -> handle(buf, off, len) }
     * ```
     */
    public fun receive(timeoutNanos: Long, maxPackets: Int = 4096, sink: PacketSink): Int

    /**
     * Replaces the kernel capture filter (libpcap syntax, e.g. `tcp and dst host 10.0.0.1`;
     * see [CaptureFilter]). Raises [PacketIoException] when it does not compile.
     *
     * ```kotlin
     * io.setFilter(CaptureFilter.replies(route.source))
     * ```
     */
    public fun setFilter(expression: String)

    /**
     * Counters since open.
     *
     * ```kotlin
     * println(io.stats().droppedByKernel)
     * ```
     */
    public fun stats(): PacketIoStats

    /** Releases the interface; idempotent. */
    override fun close()

    /** Opening the right implementation for an interface. */
    public companion object {
        /**
         * Opens [interfaceName]: [PcapPacketIo] for an Ethernet interface, [RawSocketPacketIo] for
         * loopback and interfaces without Ethernet framing. Needs root or CAP_NET_RAW and libpcap
         * (see [RawPackets.unavailableReason]); raises [PacketIoException] otherwise.
         *
         * ```kotlin
         * val io = PacketIo.open(route.interfaceName, PacketIoOptions(filter = CaptureFilter.replies(route.source)))
         * ```
         */
        public fun open(interfaceName: String, options: PacketIoOptions = PacketIoOptions()): PacketIo =
            PacketIoFactory.open(interfaceName, options)
    }
}
