package dev.kmap.store.internal

import dev.kmap.engine.PortResult

/**
 * Ports by [Codes.portKey], the writer's record of what it stored of each port of a host in
 * flight: open addressing over two arrays, so a 65535-port host costs no boxed key and no node
 * per port (a `HashMap<Int, PortResult>` cost both, on the writer's hot path).
 */
internal class PortTable {
    /** Key + 1 per slot (0: empty). */
    private var keys = IntArray(8)
    private var values = arrayOfNulls<PortResult>(8)
    private var size = 0

    /** Stores [p] under its key; returns the port stored there before, or null. */
    fun put(p: PortResult): PortResult? {
        if ((size + 1) * 2 > keys.size) grow()
        return insert(Codes.portKey(p) + 1, p)
    }

    private fun insert(k: Int, p: PortResult): PortResult? {
        val mask = keys.size - 1
        var i = (k xor (k ushr 16)) and mask
        while (true) {
            when (keys[i]) {
                0 -> { keys[i] = k; values[i] = p; size++; return null }
                k -> { val old = values[i]; values[i] = p; return old }
            }
            i = (i + 1) and mask
        }
    }

    private fun grow() {
        val oldKeys = keys
        val oldValues = values
        keys = IntArray(oldKeys.size * 2)
        values = arrayOfNulls(oldKeys.size * 2)
        size = 0
        for (i in oldKeys.indices) if (oldKeys[i] != 0) insert(oldKeys[i], oldValues[i]!!)
    }
}
