package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import kotlin.random.Random

/**
 * Test-side packet helpers, written independently of the production code: the checksum here
 * adds with end-around carry at every step (production folds once at the end), and offsets
 * are read by hand rather than through the production parser.
 */
object Independent {
    /** One's-complement sum of 16-bit big-endian words with the carry folded in at each step. */
    fun onesSum(data: ByteArray): Int {
        var sum = 0
        var i = 0
        while (i < data.size) {
            val hi = data[i].toInt() and 0xff
            val lo = if (i + 1 < data.size) data[i + 1].toInt() and 0xff else 0
            sum += (hi shl 8) or lo
            if (sum > 0xffff) sum = (sum and 0xffff) + 1
            i += 2
        }
        return sum
    }

    /** True when [data] (which includes its checksum field) sums to 0xffff, i.e. the checksum is right. */
    fun verifies(data: ByteArray): Boolean = onesSum(data) == 0xffff

    fun pseudoHeader(src: ByteArray, dst: ByteArray, protocol: Int, length: Int): ByteArray =
        if (src.size == 4) {
            src + dst + byteArrayOf(0, protocol.toByte(), (length shr 8).toByte(), length.toByte())
        } else {
            src + dst + byteArrayOf((length ushr 24).toByte(), (length ushr 16).toByte(), (length ushr 8).toByte(), length.toByte(), 0, 0, 0, protocol.toByte())
        }

    fun u16(b: ByteArray, i: Int) = ((b[i].toInt() and 0xff) shl 8) or (b[i + 1].toInt() and 0xff)
}

object Rand {
    fun v4(r: Random): IpAddress = IpAddress.ofV4(r.nextInt())
    fun v6(r: Random): IpAddress = IpAddress.ofBytes(r.nextBytes(16))
    fun address(r: Random, v6: Boolean) = if (v6) v6(r) else v4(r)
    fun mac(r: Random) = MacAddress(r.nextLong() and 0xfeff_ffff_ffffL) // unicast
}

/** Hand-built reply frames the templates cannot make (errors, ARP, NDP). */
object Frames {
    fun ethernet(type: Int, payload: ByteArray, dst: MacAddress = MacAddress.parse("02:00:00:00:00:01"), src: MacAddress = MacAddress.parse("02:00:00:00:00:02")): ByteArray =
        dst.toBytes() + src.toBytes() + byteArrayOf((type shr 8).toByte(), type.toByte()) + payload

    fun ipv4(src: IpAddress, dst: IpAddress, protocol: Int, payload: ByteArray, ttl: Int = 64): ByteArray {
        val h = ByteArray(20)
        h[0] = 0x45
        val total = 20 + payload.size
        h[2] = (total shr 8).toByte(); h[3] = total.toByte()
        h[8] = ttl.toByte(); h[9] = protocol.toByte()
        src.toBytes().copyInto(h, 12); dst.toBytes().copyInto(h, 16)
        val c = Independent.onesSum(h).inv() and 0xffff
        h[10] = (c shr 8).toByte(); h[11] = c.toByte()
        return h + payload
    }

    fun ipv6(src: IpAddress, dst: IpAddress, next: Int, payload: ByteArray, hopLimit: Int = 64): ByteArray {
        val h = ByteArray(40)
        h[0] = 0x60
        h[4] = (payload.size shr 8).toByte(); h[5] = payload.size.toByte()
        h[6] = next.toByte(); h[7] = hopLimit.toByte()
        src.toBytes().copyInto(h, 8); dst.toBytes().copyInto(h, 24)
        return h + payload
    }

    /** An ICMP(v6) error from [from] to [to] quoting [quotedIp] (an IP packet). */
    fun icmpError(from: IpAddress, to: IpAddress, type: Int, code: Int, quotedIp: ByteArray): ByteArray {
        val icmp = byteArrayOf(type.toByte(), code.toByte(), 0, 0, 0, 0, 0, 0) + quotedIp
        return if (from.isV6) ipv6(from, to, 58, icmp) else ipv4(from, to, 1, icmp)
    }

    fun arpReply(senderMac: MacAddress, sender: IpAddress, targetMac: MacAddress, target: IpAddress): ByteArray {
        val a = byteArrayOf(0, 1, 8, 0, 6, 4, 0, 2) + senderMac.toBytes() + sender.toBytes() + targetMac.toBytes() + target.toBytes()
        return ethernet(0x0806, a + ByteArray(18), dst = targetMac, src = senderMac)
    }

    fun neighbourAdvert(from: IpAddress, to: IpAddress, target: IpAddress, mac: MacAddress?): ByteArray {
        var icmp = byteArrayOf(136.toByte(), 0, 0, 0, 0x60, 0, 0, 0) + target.toBytes()
        if (mac != null) icmp += byteArrayOf(2, 1) + mac.toBytes()
        return ethernet(0x86dd, ipv6(from, to, 58, icmp, 255))
    }

    /** [frame] without its 14-byte Ethernet header. */
    fun ipOf(frame: ByteArray) = frame.copyOfRange(14, frame.size)
}
