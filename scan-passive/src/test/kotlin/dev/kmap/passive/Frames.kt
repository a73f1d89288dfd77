package dev.kmap.passive

import java.io.ByteArrayOutputStream
import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path

/** Builds frames for tests: IPv4/IPv6 TCP and UDP under Ethernet (with VLAN tags), SLL, SLL2 or raw IP. */
object Frames {
    const val FIN = 1; const val SYN = 2; const val RST = 4; const val PSH = 8; const val ACK = 16

    enum class Link(val type: Int) { ETHERNET(1), VLAN(1), QINQ(1), SLL(113), SLL2(276), RAW(101) }

    class Frame(val bytes: ByteArray, val linkType: Int, val ts: Long, val wire: Int = bytes.size)

    fun ip4(a: String) = a.split('.').map { it.toInt().toByte() }.toByteArray()
    fun ip6(a: String) = java.net.InetAddress.getByName(a).address

    fun tcp(
        src: ByteArray, sport: Int, dst: ByteArray, dport: Int, seq: Int, ack: Int, flags: Int,
        payload: ByteArray = ByteArray(0), window: Int = 64240, ttl: Int = 64, options: ByteArray = ByteArray(0),
        link: Link = Link.ETHERNET, ts: Long = 0, srcMac: Long = 0x026b6d000201L,
    ): Frame {
        val optLen = (options.size + 3) / 4 * 4
        val t = ByteBuffer.allocate(20 + optLen + payload.size)
        t.putShort(sport.toShort()).putShort(dport.toShort()).putInt(seq).putInt(ack)
        t.put((((20 + optLen) / 4) shl 4).toByte()).put(flags.toByte()).putShort(window.toShort()).putShort(0).putShort(0)
        t.put(options).put(ByteArray(optLen - options.size)).put(payload)
        return ip(src, dst, 6, t.array(), ttl, link, ts, srcMac)
    }

    fun udp(src: ByteArray, sport: Int, dst: ByteArray, dport: Int, payload: ByteArray, link: Link = Link.ETHERNET, ts: Long = 0): Frame {
        val u = ByteBuffer.allocate(8 + payload.size)
        u.putShort(sport.toShort()).putShort(dport.toShort()).putShort((8 + payload.size).toShort()).putShort(0).put(payload)
        return ip(src, dst, 17, u.array(), 64, link, ts, 0x026b6d000201L)
    }

    fun ip(src: ByteArray, dst: ByteArray, proto: Int, l4: ByteArray, ttl: Int, link: Link, ts: Long, srcMac: Long): Frame {
        val ip = if (src.size == 4) {
            ByteBuffer.allocate(20 + l4.size).put(0x45).put(0).putShort((20 + l4.size).toShort()).putShort(0x1234).putShort(0x4000)
                .put(ttl.toByte()).put(proto.toByte()).putShort(0).put(src).put(dst).put(l4).array()
        } else {
            ByteBuffer.allocate(40 + l4.size).putInt(0x60000000).putShort(l4.size.toShort()).put(proto.toByte()).put(ttl.toByte())
                .put(src).put(dst).put(l4).array()
        }
        val type = if (src.size == 4) 0x0800 else 0x86dd
        val mac = ByteArray(6) { i -> (srcMac ushr (40 - 8 * i)).toByte() }
        val out = ByteArrayOutputStream()
        fun u16(v: Int) { out.write(v ushr 8); out.write(v) }
        when (link) {
            Link.ETHERNET, Link.VLAN, Link.QINQ -> {
                out.write(byteArrayOf(2, 0x6b, 0x6d, 0, 1, 1)); out.write(mac)
                if (link == Link.QINQ) { u16(0x88a8); u16(100) }
                if (link != Link.ETHERNET) { u16(0x8100); u16(200) }
                u16(type)
            }
            Link.SLL -> { u16(0); u16(1); u16(6); out.write(mac); out.write(byteArrayOf(0, 0)); u16(type) }
            Link.SLL2 -> { u16(type); u16(0); out.write(byteArrayOf(0, 0, 0, 2)); u16(1); out.write(0); out.write(6); out.write(mac); out.write(byteArrayOf(0, 0)) }
            Link.RAW -> Unit
        }
        out.write(ip)
        return Frame(out.toByteArray(), link.type, ts)
    }

    /** Writes [frames] (all of one link type) as pcap or pcapng. */
    fun write(path: Path, format: CaptureFileWriter.Format, frames: List<Frame>, snap: Int = 262144): Path {
        CaptureFileWriter(Files.newOutputStream(path), format, frames.first().linkType, snap).use { w ->
            for (f in frames) {
                val cap = minOf(f.bytes.size, snap)
                w.frame(f.bytes, 0, cap, f.wire, f.ts)
            }
        }
        return path
    }

    /** Every event of a run over [path]. */
    fun events(path: Path, limits: dev.kmap.dsl.PassiveLimits = dev.kmap.dsl.PassiveLimits()): List<PassiveEvent> {
        val events = ArrayList<PassiveEvent>()
        val pipeline = PassivePipeline(limits) { events += it }
        CaptureFileSource.open(path).use { src -> while (src.read(pipeline, 64) >= 0) Unit }
        pipeline.finish(false)
        return events
    }

    fun messages(events: List<PassiveEvent>) = events.filterIsInstance<PassiveEvent.Message>().map { it.message }
}
