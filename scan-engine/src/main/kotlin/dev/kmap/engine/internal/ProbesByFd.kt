package dev.kmap.engine.internal

import dev.kmap.engine.Probe

/**
 * The probes in flight by their socket's descriptor: an array indexed by fd (the kernel hands out
 * the lowest free descriptor, so the array stays as long as the most sockets open at once, which
 * the open-file limit bounds). No allocation per entry; it grows by doubling up to [maxFd] + 1.
 */
internal class ProbesByFd(initialSize: Int = 1_024, private val maxFd: Int = Int.MAX_VALUE - 8) {
    private var probes = arrayOfNulls<Probe>(initialSize.coerceIn(1, maxFd + 1))

    /** How many descriptors hold a probe. */
    var size: Int = 0
        private set

    /** Records [probe] under [fd], which must be free (a descriptor is never in flight twice). */
    fun put(fd: Int, probe: Probe) {
        require(fd in 0..maxFd) { "descriptor $fd outside 0..$maxFd" }
        if (fd >= probes.size) probes = probes.copyOf(maxOf(fd + 1, minOf(probes.size.toLong() * 2, maxFd + 1L).toInt()))
        check(probes[fd] == null) { "descriptor $fd already holds ${probes[fd]}" }
        probes[fd] = probe
        size++
    }

    /** The probe under [fd], or null. */
    operator fun get(fd: Int): Probe? = if (fd in probes.indices) probes[fd] else null

    /** Removes and returns the probe under [fd], or null when none is there. */
    fun remove(fd: Int): Probe? {
        if (fd !in probes.indices) return null
        val p = probes[fd] ?: return null
        probes[fd] = null
        size--
        return p
    }

    /** Calls [action] with every descriptor that holds a probe, and forgets them all. */
    fun drain(action: (Int) -> Unit) {
        for (fd in probes.indices) if (remove(fd) != null) action(fd)
    }
}
