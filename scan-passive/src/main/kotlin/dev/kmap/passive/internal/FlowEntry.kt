package dev.kmap.passive.internal

import dev.kmap.passive.FlowKey
import dev.kmap.passive.FlowState
import dev.kmap.passive.FlowStats
import dev.kmap.passive.StreamParser

/** One tracked flow; side "a" is the initiator. Linked into a hash chain and an LRU list. */
internal class FlowEntry(
    val proto: Int,
    val aHi: Long, val aLo: Long, val aPort: Int,
    val bHi: Long, val bLo: Long, val bPort: Int,
    val hash: Int,
    val id: Long,
    val key: FlowKey,
    val lruClass: Int,
) {
    var chain: FlowEntry? = null
    var prev: FlowEntry? = null
    var next: FlowEntry? = null

    var state = FlowState.ACTIVE
    var midstream = false
    /** Ended (closed or reset) and lingering so late packets do not start a new flow. */
    var ended = false
    var first = 0L
    var last = 0L
    var packetsUp = 0L
    var packetsDown = 0L
    var bytesUp = 0L
    var bytesDown = 0L
    var finUp = false
    var finDown = false
    var finSeqUp = 0
    var finSeqDown = 0
    var lastFinUp = false

    var up: Reassembler? = null
    var down: Reassembler? = null

    /** 0 undecided, 1 a stream parser, 2 nothing to parse, 3 a datagram protocol. */
    var parse = 0
    var parser: StreamParser? = null
    var datagram = -1
    var sniff: ByteArray? = null
    var sniffLen = 0
    var sniffUp = false

    fun stats(): FlowStats {
        var delivered = 0L; var retrans = 0L; var ooo = 0L; var dropped = 0L; var gaps = 0L
        for (r in arrayOf(up, down)) if (r != null) {
            delivered += r.delivered; retrans += r.retransmitted; ooo += r.outOfOrder; dropped += r.dropped; gaps += r.gaps
        }
        return FlowStats(packetsUp, packetsDown, bytesUp, bytesDown, first, last, delivered, retrans, ooo, dropped, gaps)
    }
}
