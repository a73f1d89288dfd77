package dev.kmap.passive.internal

/**
 * One decoded frame, reused for every frame (no allocation per packet). Addresses are held as
 * two longs: IPv4 in [srcLo]/[dstLo] (low 32 bits), IPv6 in hi/lo. Only the fields of the
 * layers [FrameDecoder.decode] reported are meaningful.
 */
internal class Packet {
    lateinit var buf: ByteArray
    var ts = 0L
    var hasMac = false
    var srcMac = 0L
    var vlanTags = 0

    var ipVersion = 0
    var srcHi = 0L
    var srcLo = 0L
    var dstHi = 0L
    var dstLo = 0L
    var proto = 0
    var ttl = 0
    var ipId = 0
    var df = false
    var ipOptionBytes = 0
    var ecn = false
    var flowLabel = 0
    var ipWireLength = 0

    var srcPort = 0
    var dstPort = 0
    var seq = 0
    var ack = 0
    var flags = 0
    var window = 0
    var urgentPointer = 0
    var tcpOptionsAt = 0
    var tcpOptionsLen = 0
    var tcpReservedBits = 0

    /** Payload bytes present in [buf]. */
    var payloadAt = 0
    var payloadLen = 0

    /** Payload bytes on the wire (as the IP header declares): more than [payloadLen] under a snap length. */
    var payloadWire = 0

    var arpOp = 0
    var arpSenderMac = 0L
    var arpSenderIp = 0

    companion object {
        const val TCP = 1
        const val UDP = 2
        const val ICMP = 3
        const val ARP = 4
        const val OTHER_IP = 5
        const val FRAGMENT = 6
        const val NOT_IP = 7
        const val MALFORMED = 8
        const val UNKNOWN_LINK = 9
    }
}
