package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.internal.SipHash
import java.io.File
import java.security.SecureRandom

/**
 * The per-scan secret behind stateless reply matching (zmap's "validation"): a SipHash-2-4 key.
 * A probe carries a keyed hash of its (local address, remote address, local port, remote port) —
 * in the TCP sequence (and acknowledgment) number, the ICMP identifier and sequence, or the UDP
 * source port — so a reply is recognised as the answer to one of our probes, and mapped back to
 * the probed address and port, from its own header alone, with no table of targets. Replies
 * that someone else could forge need the key, which never leaves the process.
 *
 * Thread-safe; hashing allocates nothing.
 *
 * TCP: send `sequence = acknowledgment = tcpSequence(src, dst, sport, dport)`; check replies with
 * [isValidTcpReply] and ICMP errors with [isValidQuotedProbe].
 *
 * ```kotlin
 * val key = ProbeKey.random()
 * val seq = key.tcpSequence(src, dst, 40000, 80)
 * syn.write(buf, 0, dst, 40000, 80, sequence = seq, acknowledgment = seq)
 * // receive thread:
 * if (reply is ParsedReply.Tcp && key.isValidTcpReply(reply, TcpFlags.SYN)) println("${reply.source}:${reply.sourcePort}")
 * ```
 */
public class ProbeKey(private val k0: Long, private val k1: Long) {
    /**
     * The 64-bit keyed hash of a probe's addresses and ports and [protocol] (TCP 6, UDP 17, ICMP 1 / 58).
     *
     * ```kotlin
     * val dedupKey = key.hash(reply.destination, reply.source, reply.destinationPort, reply.sourcePort)
     * ```
     */
    public fun hash(local: IpAddress, remote: IpAddress, localPort: Int, remotePort: Int, protocol: Int = QuotedPacket.TCP): Long {
        val tail = (if (local.isV6) 1L shl 56 else 0L) or ((protocol.toLong() and 0xff) shl 32) or
            ((localPort.toLong() and 0xffff) shl 16) or (remotePort.toLong() and 0xffff)
        return SipHash.hash5(k0, k1, local.high, local.low, remote.high, remote.low, tail)
    }

    /**
     * The sequence number (and, for ACK-flag probes, acknowledgment number) a TCP probe carries.
     *
     * ```kotlin
     * val seq = key.tcpSequence(src, dst, 40000, 80)
     * ```
     */
    public fun tcpSequence(local: IpAddress, remote: IpAddress, localPort: Int, remotePort: Int): Int =
        hash(local, remote, localPort, remotePort, QuotedPacket.TCP).toInt()

    /**
     * Whether [reply] answers a probe we sent with [probeFlags] (and sequence and acknowledgment
     * from [tcpSequence]): with ACK set, it acknowledges our sequence number plus the SYN and FIN
     * we sent; a RST without ACK (the answer to an ACK-flag probe) carries our acknowledgment number.
     *
     * ```kotlin
     * key.isValidTcpReply(synAck, TcpFlags.SYN) // true for the genuine SYN/ACK, false if any field changed
     * ```
     */
    public fun isValidTcpReply(reply: ParsedReply.Tcp, probeFlags: Int): Boolean {
        val seq = tcpSequence(reply.destination, reply.source, reply.destinationPort, reply.sourcePort)
        return if (reply.flags and TcpFlags.ACK != 0) {
            val advance = (if (probeFlags and TcpFlags.SYN != 0) 1 else 0) + (if (probeFlags and TcpFlags.FIN != 0) 1 else 0)
            reply.acknowledgment == seq + advance
        } else {
            reply.flags and TcpFlags.RST != 0 && reply.sequence == seq && probeFlags and TcpFlags.ACK != 0
        }
    }

    /**
     * The UDP source port for a probe to [remote]:[remotePort], one of [portCount] ports from [basePort].
     *
     * ```kotlin
     * val sport = key.udpSourcePort(src, dst, 53, basePort = 40000, portCount = 1024)
     * ```
     */
    public fun udpSourcePort(local: IpAddress, remote: IpAddress, remotePort: Int, basePort: Int, portCount: Int): Int {
        require(portCount >= 1 && basePort >= 1 && basePort + portCount <= 65536) { "ports $basePort+$portCount outside 1..65535" }
        val h = hash(local, remote, 0, remotePort, QuotedPacket.UDP)
        return basePort + java.lang.Long.remainderUnsigned(h, portCount.toLong()).toInt()
    }

    /**
     * Whether the UDP [reply] comes back to the source port [udpSourcePort] gives for its sender.
     *
     * ```kotlin
     * if (key.isValidUdpReply(reply, 40000, 1024)) println("${reply.source}:${reply.sourcePort} open")
     * ```
     */
    public fun isValidUdpReply(reply: ParsedReply.Udp, basePort: Int, portCount: Int): Boolean =
        reply.destinationPort == udpSourcePort(reply.destination, reply.source, reply.sourcePort, basePort, portCount)

    /**
     * ICMP identifier (high 16 bits) and sequence number (low 16 bits) for an echo or timestamp probe.
     *
     * ```kotlin
     * val v = key.icmpIdentity(src, dst); ping.write(buf, 0, dst, v ushr 16, v and 0xffff)
     * ```
     */
    public fun icmpIdentity(local: IpAddress, remote: IpAddress): Int =
        hash(local, remote, 0, 0, if (local.isV6) QuotedPacket.ICMPV6 else QuotedPacket.ICMP).toInt()

    /**
     * Whether the echo or timestamp [reply] carries the identifier and sequence [icmpIdentity] gives.
     *
     * ```kotlin
     * if (reply.isReply && key.isValidIcmpReply(reply)) println("${reply.source} is up")
     * ```
     */
    public fun isValidIcmpReply(reply: ParsedReply.Icmp): Boolean =
        ((reply.identifier shl 16) or reply.sequence) == icmpIdentity(reply.destination, reply.source)

    /**
     * Whether the packet an ICMP error quotes is a probe of ours: a TCP probe with our sequence
     * number, a UDP probe from our source port (given [udpBasePort] and [udpPortCount]), or an
     * ICMP probe with our identifier and sequence.
     *
     * ```kotlin
     * val q = error.quoted
     * if (q != null && key.isValidQuotedProbe(q)) println("${q.destination}:${q.destinationPort} unreachable")
     * ```
     */
    public fun isValidQuotedProbe(quoted: QuotedPacket, udpBasePort: Int = 1, udpPortCount: Int = 65535): Boolean = when (quoted.protocol) {
        QuotedPacket.TCP -> quoted.tcpSequence == tcpSequence(quoted.source, quoted.destination, quoted.sourcePort, quoted.destinationPort)
        QuotedPacket.UDP -> quoted.sourcePort == udpSourcePort(quoted.source, quoted.destination, quoted.destinationPort, udpBasePort, udpPortCount)
        QuotedPacket.ICMP, QuotedPacket.ICMPV6 ->
            ((quoted.icmpIdentifier shl 16) or quoted.icmpSequence) == icmpIdentity(quoted.source, quoted.destination)
        else -> false
    }

    override fun toString(): String = "ProbeKey(****)"

    /** Key creation. */
    public companion object {
        /**
         * A key from 16 random bytes of the kernel's (`/dev/urandom`, which [SecureRandom]'s default
         * on Linux reads too), else of a [SecureRandom]: one per scan. Not a `SecureRandom` first: its
         * set-up (the security providers, SHA1PRNG's digest and its method handles) costs ~20 ms of a
         * cold JVM on the path to a scan's first packet.
         *
         * ```kotlin
         * val key = ProbeKey.random()
         * ```
         */
        public fun random(): ProbeKey {
            val b = runCatching { File("/dev/urandom").inputStream().use { it.readNBytes(16) } }.getOrNull()
            if (b == null || b.size != 16) {
                val r = SecureRandom()
                return ProbeKey(r.nextLong(), r.nextLong())
            }
            var k0 = 0L
            var k1 = 0L
            for (i in 0 until 8) k0 = k0 shl 8 or (b[i].toLong() and 0xff)
            for (i in 8 until 16) k1 = k1 shl 8 or (b[i].toLong() and 0xff)
            return ProbeKey(k0, k1)
        }
    }
}
