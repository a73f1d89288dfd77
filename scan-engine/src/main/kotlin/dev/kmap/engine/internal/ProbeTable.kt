package dev.kmap.engine.internal

import dev.kmap.engine.Probe

/**
 * The probes in flight of a raw session, by (address, port): open addressing over primitive
 * arrays, so neither a send nor a reply allocates a key. Linear probing with backward-shift
 * deletion (no tombstones); grows at half full. Not thread-safe (the probe loop's thread only).
 */
internal class ProbeTable(initialCapacity: Int = 1024) {
    private var highs = LongArray(0)
    private var lows = LongArray(0)
    private var ports = IntArray(0) // -1: empty slot
    private var probes = arrayOfNulls<Probe>(0)
    private var mask = 0
    var size = 0
        private set

    init {
        allocate(Integer.highestOneBit(maxOf(16, initialCapacity) - 1) shl 1)
    }

    private fun allocate(capacity: Int) {
        highs = LongArray(capacity)
        lows = LongArray(capacity)
        ports = IntArray(capacity) { -1 }
        probes = arrayOfNulls(capacity)
        mask = capacity - 1
    }

    private fun slot(high: Long, low: Long, port: Int): Int {
        var h = (high * -0x61c8864680b583ebL) xor (low * -0x3d4d51c2d82b14b1L) xor (port.toLong() * 0x9e3779b9L)
        h = h xor (h ushr 29)
        return h.toInt() and mask
    }

    /** Puts [probe] under (its address, its port), replacing whatever was there. */
    fun put(probe: Probe) {
        if ((size + 1) * 2 > probes.size) grow()
        val high = probe.ip.high
        val low = probe.ip.low xor (if (probe.ip.isV6) 0 else V4_TAG)
        var i = slot(high, low, probe.port)
        while (ports[i] >= 0) {
            if (ports[i] == probe.port && lows[i] == low && highs[i] == high) {
                probes[i] = probe
                return
            }
            i = (i + 1) and mask
        }
        highs[i] = high
        lows[i] = low
        ports[i] = probe.port
        probes[i] = probe
        size++
    }

    /** Takes out and returns the probe under ([high], [low], [isV6], [port]), or null. */
    fun remove(high: Long, low: Long, isV6: Boolean, port: Int): Probe? {
        val l = low xor (if (isV6) 0 else V4_TAG)
        var i = slot(high, l, port)
        while (ports[i] >= 0) {
            if (ports[i] == port && lows[i] == l && highs[i] == high) {
                val p = probes[i]
                delete(i)
                return p
            }
            i = (i + 1) and mask
        }
        return null
    }

    /** Removes [probe] if it is the one under its address and port. */
    fun removeIf(probe: Probe) {
        val l = probe.ip.low xor (if (probe.ip.isV6) 0 else V4_TAG)
        var i = slot(probe.ip.high, l, probe.port)
        while (ports[i] >= 0) {
            if (ports[i] == probe.port && lows[i] == l && highs[i] == probe.ip.high) {
                if (probes[i] === probe) delete(i)
                return
            }
            i = (i + 1) and mask
        }
    }

    fun clear() {
        ports.fill(-1)
        probes.fill(null)
        size = 0
    }

    /** Backward-shift deletion: later entries of the same run move up, so lookups need no tombstones. */
    private fun delete(at: Int) {
        var hole = at
        var i = (at + 1) and mask
        while (ports[i] >= 0) {
            val home = slot(highs[i], lows[i], ports[i])
            // move i into the hole when its home is not within (hole, i] cyclically
            if ((i - home) and mask >= (i - hole) and mask) {
                highs[hole] = highs[i]; lows[hole] = lows[i]; ports[hole] = ports[i]; probes[hole] = probes[i]
                hole = i
            }
            i = (i + 1) and mask
        }
        ports[hole] = -1
        probes[hole] = null
        size--
    }

    private fun grow() {
        val oldHighs = highs; val oldLows = lows; val oldPorts = ports; val oldProbes = probes
        allocate(oldProbes.size * 2)
        size = 0
        for (k in oldProbes.indices) {
            if (oldPorts[k] < 0) continue
            var i = slot(oldHighs[k], oldLows[k], oldPorts[k])
            while (ports[i] >= 0) i = (i + 1) and mask
            highs[i] = oldHighs[k]; lows[i] = oldLows[k]; ports[i] = oldPorts[k]; probes[i] = oldProbes[k]
            size++
        }
    }

    private companion object {
        /** Tells an IPv4 address from the IPv4-compatible IPv6 one with the same bits. */
        const val V4_TAG = 1L shl 62
    }
}
