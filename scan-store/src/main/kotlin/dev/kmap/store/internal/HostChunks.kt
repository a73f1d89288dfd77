package dev.kmap.store.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortState

/**
 * The compact form of finished hosts that need no row (`kmap_host_chunk.data`): complete hosts
 * without scripts or service detection that finished before a commit stored anything of them.
 * A sweep of a /16 finishes 65536 such hosts, each with a port or none; as a host row and a port
 * row each, they were most of what storing the sweep cost. Hosts with scripts or service
 * detection, and hosts whose ports were stored while they were scanned (a long scan of one
 * host), stay rows.
 *
 * Layout ([ChunkOut]): `FORMAT` byte, the string table ([ChunkStrings]), host count, then per
 * host: host number, finish sequence, address (byte count and bytes),
 * name (nullable), status code byte, reason (string index), reverse name (nullable), latency
 * (nullable long), start and finish millis (longs), flags (1: timed out), error, MAC, hostnames
 * JSON, OS JSON (each nullable), port count and the ports as [PortChunks.write] writes them.
 *
 * [decode] reads bytes a user may hand us (a store file): it is total, and anything but a
 * well-formed chunk is one [dev.kmap.store.StoreException].
 */
internal object HostChunks {
    private const val FORMAT = 1

    /** At most this many hosts in one chunk. */
    const val MAX_HOSTS = 4096

    /** A chunk is closed when its ports reach this many. */
    const val MAX_PORTS = 65_536

    /** Codes of the host statuses: fixed here, never enum ordinals. */
    private val STATUSES = listOf(HostStatus.UP, HostStatus.DOWN, HostStatus.UNKNOWN)

    /** Whether a finished, complete host [r] goes into a chunk: no scripts, no service detection. */
    fun fits(r: HostResult): Boolean = r.hostScripts.isEmpty() && r.ports.all { it.serviceInfo == null && it.scripts.isEmpty() }

    /** One host of a chunk: its numbers (as its row would have them) and its result. */
    class Entry(val hostNo: Int, val finishSeq: Int, val result: HostResult)

    /** The chunk of [hosts] (at most [MAX_HOSTS], each [fits]). */
    fun encode(hosts: List<Entry>): ByteArray = Builder().apply { for (h in hosts) add(h.hostNo, h.finishSeq, h.result) }.toByteArray()

    /** One chunk built host by host as hosts finish, with the counts its row keeps beside the bytes. */
    class Builder {
        private val strings = ChunkStrings()
        private val reasons = PortChunks.ReasonCache(strings)
        private val body = ChunkOut(1024)

        var hosts: Int = 0
            private set
        var ports: Int = 0
            private set
        var firstSeq: Int = Int.MAX_VALUE
            private set
        var lastSeq: Int = -1
            private set
        var maxHostNo: Int = -1
            private set
        var up: Int = 0
            private set
        var down: Int = 0
            private set
        var open: Int = 0
            private set

        /** Whether the chunk is full ([MAX_HOSTS] hosts or [MAX_PORTS] ports). */
        val full: Boolean get() = hosts >= MAX_HOSTS || ports >= MAX_PORTS

        /** Appends host [r] ([fits]) with its row numbers. */
        fun add(hostNo: Int, finishSeq: Int, r: HostResult) {
            require(hosts < MAX_HOSTS) { "more than $MAX_HOSTS hosts in one chunk" }
            val out = body
            out.varint(hostNo.toLong())
            out.varint(finishSeq.toLong())
            val address = r.host.address.toBytes()
            out.byte(address.size)
            out.write(address, 0, address.size)
            out.nullableString(r.host.name)
            out.byte(STATUSES.indexOf(r.status))
            out.varint(strings.of(r.reason).toLong())
            out.nullableString(r.reverseName)
            out.nullableLong(r.latencyMicros)
            out.long(r.startedAtMillis)
            out.long(r.finishedAtMillis)
            out.byte(if (r.timedOut) 1 else 0)
            out.nullableString(r.error)
            out.nullableString(r.mac)
            out.nullableString(Codes.hostnames(r.hostnames))
            out.nullableString(Codes.os(r.os))
            out.varint(r.ports.size.toLong())
            for (p in r.ports) {
                PortChunks.write(out, strings, reasons, p)
                if (p.state == PortState.OPEN) open++
            }
            hosts++
            ports += r.ports.size
            firstSeq = minOf(firstSeq, finishSeq)
            lastSeq = maxOf(lastSeq, finishSeq)
            maxHostNo = maxOf(maxHostNo, hostNo)
            when (r.status) {
                HostStatus.UP -> up++
                HostStatus.DOWN -> down++
                HostStatus.UNKNOWN -> Unit
            }
        }

        /** The chunk's bytes. */
        fun toByteArray(): ByteArray = chunkBytes(FORMAT, strings, hosts, body)
    }

    /** The hosts of a chunk, in the order they were written; [what] names the chunk in the message of a [dev.kmap.store.StoreException]. */
    fun decode(data: ByteArray, what: String): List<Entry> {
        val r = ChunkIn(data, what)
        val strings = r.header(FORMAT)
        val count = r.count(MAX_HOSTS, "hosts")
        val hosts = ArrayList<Entry>(minOf(count, data.size / 8 + 1))
        repeat(count) {
            val hostNo = r.count(Int.MAX_VALUE, "host number")
            val finishSeq = r.count(Int.MAX_VALUE, "finish sequence")
            val length = r.byte()
            if (length != 4 && length != 16) r.bad("an address of $length bytes")
            val address = IpAddress.ofBytes(r.bytes(length))
            val name = r.nullableString()
            val status = STATUSES.getOrNull(r.byte()) ?: r.bad("unknown host status code")
            val reason = strings.getOrNull(r.count(strings.size - 1, "reason index")) ?: r.bad("no strings")
            val reverseName = r.nullableString()
            val latency = r.nullableLong()
            val startedAt = r.long()
            val finishedAt = r.long()
            val flags = r.byte()
            if (flags > 1) r.bad("unknown flags $flags")
            val error = r.nullableString()
            val mac = r.nullableString()
            val hostnames = json(r) { Codes.hostnames(r.nullableString()) }
            val os = json(r) { Codes.os(r.nullableString()) }
            val portCount = r.count(PortChunks.MAX_PORTS, "ports")
            val ports = List(portCount) { PortChunks.read(r, strings) }
            val result = HostResult(
                host = Host(address, name), status = status, reason = reason, ports = ports, reverseName = reverseName,
                latencyMicros = latency, startedAtMillis = startedAt, finishedAtMillis = finishedAt, timedOut = flags == 1,
                error = error, mac = mac, hostnames = hostnames, os = os,
            )
            hosts += Entry(hostNo, finishSeq, result)
        }
        r.end()
        return hosts
    }

    /** [s] for a one-line message: short, control characters as `?`. */
    private fun shown(s: String): String = s.take(64).map { if (it < ' ' || it == '\u007f') '?' else it }.joinToString("")

    private inline fun <T> json(r: ChunkIn, read: () -> T): T = try {
        read()
    } catch (e: IllegalArgumentException) { // kotlinx.serialization's exceptions are these
        r.bad("unreadable JSON: ${shown(e.message?.lineSequence()?.first().orEmpty())}")
    }
}
