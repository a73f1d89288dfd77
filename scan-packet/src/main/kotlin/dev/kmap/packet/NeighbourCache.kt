package dev.kmap.packet

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.IpAddress
import java.util.concurrent.ConcurrentHashMap

/**
 * What this process learned about link-layer neighbours, shared by the sessions of a scan: the
 * MAC addresses hosts announced in ARP replies and neighbour advertisements (so a port scan after
 * ARP discovery sends no second round of requests), and the addresses that did not answer (so
 * another session of the same scan does not wait for them again). Answers are kept [ANSWER_TTL_NANOS],
 * silences [SILENCE_TTL_NANOS]: about a scan's discovery and port scan, not for good (a host may
 * come up later). At most [MAX_ENTRIES] entries. Thread-safe. Internal to kmap's sessions
 * ([NeighbourResolver.resolve] reads and feeds it too).
 *
 * ```kotlin
 * NeighbourCache.learned("eth0", IpAddress.parse("192.168.1.7"), MacAddress.parse("02:00:00:00:00:07"))
 * NeighbourCache.mac("eth0", IpAddress.parse("192.168.1.7")) // 02:00:00:00:00:07
 * ```
 */
@InternalKmapApi
public object NeighbourCache {
    /** How long an announced MAC address is trusted (the kernel's reachable time is of this order). */
    public const val ANSWER_TTL_NANOS: Long = 60_000_000_000L

    /** How long an address that did not answer stays known as absent. */
    public const val SILENCE_TTL_NANOS: Long = 10_000_000_000L

    /** The most entries kept. */
    public const val MAX_ENTRIES: Int = 1 shl 17

    private class Key(val interfaceName: String, val address: IpAddress) {
        override fun equals(other: Any?) = other is Key && other.address == address && other.interfaceName == interfaceName
        override fun hashCode() = address.hashCode() * 31 + interfaceName.hashCode()
    }

    /** [mac] null: the address did not answer. */
    private class Entry(val mac: MacAddress?, val atNanos: Long)

    private val entries = ConcurrentHashMap<Key, Entry>()

    /**
     * [address]'s MAC on [interfaceName] if it answered within [ANSWER_TTL_NANOS], else null.
     *
     * ```kotlin
     * val mac = NeighbourCache.mac(route.interfaceName, route.nextHop)
     * ```
     */
    public fun mac(interfaceName: String, address: IpAddress, nowNanos: Long = System.nanoTime()): MacAddress? {
        val e = entries[Key(interfaceName, address)] ?: return null
        return if (e.mac != null && nowNanos - e.atNanos < ANSWER_TTL_NANOS) e.mac else null
    }

    /**
     * Whether [address] on [interfaceName] went unanswered within the last [SILENCE_TTL_NANOS]
     * and not before [sinceNanos] (a session passes the time it was opened: absences are
     * remembered for one scan, never carried into the next).
     *
     * ```kotlin
     * if (NeighbourCache.isAbsent("eth0", dst, sinceNanos = scanStart)) println("$dst is down")
     * ```
     */
    public fun isAbsent(interfaceName: String, address: IpAddress, nowNanos: Long = System.nanoTime(), sinceNanos: Long = Long.MIN_VALUE): Boolean {
        val e = entries[Key(interfaceName, address)] ?: return false
        return e.mac == null && nowNanos - e.atNanos < SILENCE_TTL_NANOS && (sinceNanos == Long.MIN_VALUE || e.atNanos - sinceNanos >= 0)
    }

    /**
     * Records that [address] announced [mac] on [interfaceName].
     *
     * ```kotlin
     * NeighbourCache.learned(route.interfaceName, reply.senderAddress, reply.senderMac)
     * ```
     */
    public fun learned(interfaceName: String, address: IpAddress, mac: MacAddress, nowNanos: Long = System.nanoTime()) {
        put(Key(interfaceName, address), Entry(mac, nowNanos), nowNanos)
    }

    /**
     * Records that [address] on [interfaceName] did not answer its requests.
     *
     * ```kotlin
     * NeighbourCache.absent("eth0", IpAddress.parse("192.168.1.9"))
     * ```
     */
    public fun absent(interfaceName: String, address: IpAddress, nowNanos: Long = System.nanoTime()) {
        put(Key(interfaceName, address), Entry(null, nowNanos), nowNanos)
    }

    /** Forgets everything (tests). */
    public fun clear(): Unit = entries.clear()

    private fun put(key: Key, entry: Entry, nowNanos: Long) {
        if (entries.size >= MAX_ENTRIES) {
            entries.entries.removeIf { nowNanos - it.value.atNanos >= (if (it.value.mac == null) SILENCE_TTL_NANOS else ANSWER_TTL_NANOS) }
            if (entries.size >= MAX_ENTRIES) entries.clear()
        }
        entries[key] = entry
    }
}
