package dev.kmap.script.proto

import java.time.Instant

/**
 * An NTP packet (RFC 5905 header): building a mode 3 (client) request and parsing a mode 4
 * (server) reply's fields.
 *
 * ```kotlin
 * val reply = NtpPacket.parse(udp { send(NtpPacket.clientRequest()); receive() } ?: return@action null)
 * println("stratum ${reply.stratum}, refid ${reply.refid}")
 * ```
 */
public class NtpPacket(
    /** Leap indicator. */ public val leap: Int,
    /** Protocol version. */ public val version: Int,
    /** Mode (3 client, 4 server). */ public val mode: Int,
    /** Stratum. */ public val stratum: Int,
    /** Poll interval exponent. */ public val poll: Int,
    /** Precision exponent. */ public val precision: Int,
    /** Root delay in seconds. */ public val rootDelay: Double,
    /** Root dispersion in seconds. */ public val rootDispersion: Double,
    /** The raw 4-byte reference id. */ public val refidBytes: ByteArray,
    /** Reference timestamp. */ public val referenceTime: Instant?,
    /** Receive timestamp. */ public val receiveTime: Instant?,
    /** Transmit timestamp. */ public val transmitTime: Instant?,
) {
    /** The reference id as nmap shows it: ASCII for stratum 0/1, a dotted IPv4 address otherwise. */
    public val refid: String get() =
        if (stratum <= 1) String(refidBytes, Charsets.ISO_8859_1).trimEnd('\u0000')
        else refidBytes.joinToString(".") { (it.toInt() and 0xff).toString() }

    /** The reference id in hex. */
    public val refidHex: String get() = refidBytes.joinToString("") { "%02x".format(it) }

    public companion object {
        private const val EPOCH_OFFSET = 2208988800L

        /** A 48-byte version 4 mode 3 request carrying the current time as its transmit timestamp. */
        public fun clientRequest(now: Instant = Instant.now()): ByteArray {
            val p = ByteArray(48)
            p[0] = 0x23
            val secs = now.epochSecond + EPOCH_OFFSET
            val frac = (now.nano.toLong() shl 32) / 1_000_000_000L
            for (i in 0 until 4) { p[40 + i] = (secs ushr (24 - 8 * i)).toByte(); p[44 + i] = (frac ushr (24 - 8 * i)).toByte() }
            return p
        }

        /** A mode 6 (control) READVAR request, which ntpd answers and chrony does not. */
        public fun controlReadVariables(sequence: Int = 1): ByteArray = byteArrayOf(0x16, 0x02, (sequence ushr 8).toByte(), sequence.toByte(), 0, 0, 0, 0, 0, 0, 0, 0)

        /** Parses a 48-byte (or longer) NTP header; [ProtocolException] when shorter. */
        public fun parse(bytes: ByteArray): NtpPacket {
            if (bytes.size < 48) throw ProtocolException("NTP reply too short: ${bytes.size} bytes, expected 48")
            val r = ByteReader(bytes, "NTP reply")
            val b0 = r.u8()
            val stratum = r.u8(); val poll = r.u8().toByte().toInt(); val precision = r.u8().toByte().toInt()
            val delay = r.u32() / 65536.0; val dispersion = r.u32() / 65536.0
            val refid = r.bytes(4)
            fun ts(): Instant? {
                val secs = r.u32(); val frac = r.u32()
                if (secs == 0L && frac == 0L) return null
                return Instant.ofEpochSecond(secs - EPOCH_OFFSET, (frac * 1_000_000_000L) ushr 32)
            }
            val ref = ts(); ts(); val rx = ts(); val tx = ts()
            return NtpPacket(b0 ushr 6, (b0 ushr 3) and 7, b0 and 7, stratum, poll, precision, delay, dispersion, refid, ref, rx, tx)
        }
    }
}
