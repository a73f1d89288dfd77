package dev.kmap.passive.internal

/**
 * Flows by 5-tuple, found in either direction without allocating: a chained hash table keyed
 * by an order-independent hash of both endpoints, plus one list per protocol class ordered by
 * last packet seen (oldest first), for idle expiry and LRU eviction in O(1).
 */
internal class FlowTable(maxFlows: Int) {
    private val table: Array<FlowEntry?>
    private val mask: Int
    val heads = arrayOfNulls<FlowEntry>(3)
    private val tails = arrayOfNulls<FlowEntry>(3)
    var size = 0
        private set

    /** Set by [find]: true when the packet goes from the initiator to the responder. */
    var fromInitiator = false
        private set

    init {
        var cap = 16
        while (cap < maxFlows * 2 && cap < (1 shl 30)) cap = cap shl 1
        table = arrayOfNulls(cap)
        mask = cap - 1
    }

    fun find(proto: Int, hash: Int, sHi: Long, sLo: Long, sPort: Int, dHi: Long, dLo: Long, dPort: Int): FlowEntry? {
        var e = table[hash and mask]
        while (e != null) {
            if (e.hash == hash && e.proto == proto) {
                if (e.aPort == sPort && e.bPort == dPort && e.aLo == sLo && e.bLo == dLo && e.aHi == sHi && e.bHi == dHi) { fromInitiator = true; return e }
                if (e.aPort == dPort && e.bPort == sPort && e.aLo == dLo && e.bLo == sLo && e.aHi == dHi && e.bHi == sHi) { fromInitiator = false; return e }
            }
            e = e.chain
        }
        return null
    }

    fun insert(e: FlowEntry) {
        val i = e.hash and mask
        e.chain = table[i]
        table[i] = e
        size++
        linkTail(e)
    }

    fun remove(e: FlowEntry) {
        val i = e.hash and mask
        var p: FlowEntry? = null
        var c = table[i]
        while (c != null) {
            if (c === e) {
                if (p == null) table[i] = c.chain else p.chain = c.chain
                size--
                break
            }
            p = c
            c = c.chain
        }
        unlink(e)
        e.chain = null
    }

    /** Moves [e] to the young end of its list. */
    fun touch(e: FlowEntry) {
        if (tails[e.lruClass] === e) return
        unlink(e)
        linkTail(e)
    }

    /** The least recently seen flow of all classes. */
    fun oldest(): FlowEntry? {
        var best: FlowEntry? = null
        for (h in heads) if (h != null && (best == null || h.last < best.last)) best = h
        return best
    }

    private fun linkTail(e: FlowEntry) {
        val c = e.lruClass
        e.next = null
        e.prev = tails[c]
        if (tails[c] != null) tails[c]!!.next = e else heads[c] = e
        tails[c] = e
    }

    private fun unlink(e: FlowEntry) {
        val c = e.lruClass
        if (e.prev != null) e.prev!!.next = e.next else if (heads[c] === e) heads[c] = e.next
        if (e.next != null) e.next!!.prev = e.prev else if (tails[c] === e) tails[c] = e.prev
        e.prev = null
        e.next = null
    }

    companion object {
        /** Order-independent: the same for both directions of a flow. */
        fun hash(proto: Int, sHi: Long, sLo: Long, sPort: Int, dHi: Long, dLo: Long, dPort: Int): Int {
            val x = mix(sHi * 31 + sLo, sPort)
            val y = mix(dHi * 31 + dLo, dPort)
            return (x + y) xor (x * y) xor proto
        }

        private fun mix(a: Long, port: Int): Int {
            var h = a * -0x61c8864680b583ebL + port * 0x9E3779B1L
            h = h xor (h ushr 29)
            h *= -0x4b47d5b1b5a4a7b5L
            return (h xor (h ushr 32)).toInt()
        }
    }
}
