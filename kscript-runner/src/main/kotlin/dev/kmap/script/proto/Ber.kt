package dev.kmap.script.proto

import java.io.ByteArrayOutputStream
import java.math.BigInteger

/**
 * BER (the subset SNMP uses): a TLV [tag] and its [value] bytes, with encoders for the
 * types an SNMP request needs and a decoder that parses constructed values into [children].
 *
 * ```kotlin
 * val oid = Ber.oid("1.3.6.1.2.1.1.1.0")
 * val tlv = Ber.decode(reply)            // SEQUENCE { version, community, PDU }
 * val pdu = tlv.children[2]
 * ```
 */
public class Ber(public val tag: Int, public val value: ByteArray) {
    /** Constructed encodings (bit 0x20 in the tag) decoded; empty for a primitive one. */
    public val children: List<Ber> by lazy {
        if (tag and 0x20 == 0) emptyList() else ArrayList<Ber>().also { list -> val r = ByteReader(value, "BER"); while (r.remaining > 0) list += read(r) }
    }

    /** An INTEGER's value (up to 64 bits). */
    public fun integer(): Long { if (value.isEmpty() || value.size > 8) throw ProtocolException("bad BER integer of ${value.size} bytes"); return BigInteger(value).toLong() }

    /** An unsigned integer (Counter, Gauge, TimeTicks). */
    public fun unsigned(): Long { if (value.size > 9) throw ProtocolException("bad BER number of ${value.size} bytes"); return if (value.isEmpty()) 0 else BigInteger(1, value).toLong() }

    /** An OCTET STRING as text. */
    public fun text(): String = String(value, Charsets.UTF_8)

    /** An OBJECT IDENTIFIER in dotted form. */
    public fun oidString(): String {
        if (value.isEmpty()) throw ProtocolException("empty BER object identifier")
        val parts = ArrayList<Long>()
        var acc = 0L
        for ((i, b) in value.withIndex()) {
            acc = (acc shl 7) or (b.toLong() and 0x7f)
            if (b.toInt() and 0x80 == 0) {
                if (parts.isEmpty()) { val first = minOf(acc / 40, 2); parts += first; parts += acc - first * 40 } else parts += acc
                acc = 0
            } else if (i == value.size - 1 || acc > (1L shl 50)) throw ProtocolException("bad BER object identifier")
        }
        return parts.joinToString(".")
    }

    /** The encoding of this TLV. */
    public fun encode(): ByteArray = ByteArrayOutputStream().apply {
        write(tag)
        val n = value.size
        when {
            n < 0x80 -> write(n)
            n < 0x100 -> { write(0x81); write(n) }
            else -> { write(0x82); write(n ushr 8); write(n) }
        }
        write(value)
    }.toByteArray()

    public companion object {
        /** INTEGER. */ public const val INTEGER: Int = 0x02
        /** OCTET STRING. */ public const val OCTET_STRING: Int = 0x04
        /** NULL. */ public const val NULL: Int = 0x05
        /** OBJECT IDENTIFIER. */ public const val OID: Int = 0x06
        /** SEQUENCE. */ public const val SEQUENCE: Int = 0x30

        /** An INTEGER. */
        public fun integer(v: Long): Ber = Ber(INTEGER, BigInteger.valueOf(v).toByteArray())

        /** An OCTET STRING. */
        public fun string(s: String): Ber = Ber(OCTET_STRING, s.toByteArray(Charsets.UTF_8))

        /** A NULL. */
        public fun nullValue(): Ber = Ber(NULL, ByteArray(0))

        /** An OBJECT IDENTIFIER from dotted form. */
        public fun oid(dotted: String): Ber {
            val n = dotted.split('.').map { it.toLong() }
            require(n.size >= 2) { "an OID needs two parts: $dotted" }
            val out = ByteArrayOutputStream()
            for (v in listOf(n[0] * 40 + n[1]) + n.drop(2)) {
                val groups = ArrayList<Int>()
                var x = v
                do { groups += (x and 0x7f).toInt(); x = x ushr 7 } while (x > 0)
                for (i in groups.indices.reversed()) out.write(groups[i] or if (i > 0) 0x80 else 0)
            }
            return Ber(OID, out.toByteArray())
        }

        /** A constructed TLV with [tag] holding [children]. */
        public fun constructed(tag: Int, vararg children: Ber): Ber =
            Ber(tag, ByteArrayOutputStream().apply { children.forEach { write(it.encode()) } }.toByteArray())

        /** Decodes one TLV from the start of [bytes]; [ProtocolException] when malformed. */
        public fun decode(bytes: ByteArray): Ber = read(ByteReader(bytes, "BER"))

        private fun read(r: ByteReader): Ber {
            val tag = r.u8("BER tag")
            if (tag and 0x1f == 0x1f) throw ProtocolException("BER multi-byte tags are not supported")
            var len = r.u8("BER length")
            if (len and 0x80 != 0) {
                val n = len and 0x7f
                if (n == 0 || n > 3) throw ProtocolException("bad BER length form 0x%02x".format(len))
                len = 0
                repeat(n) { len = (len shl 8) or r.u8("BER length") }
            }
            return Ber(tag, r.bytes(len, "BER value"))
        }
    }
}
