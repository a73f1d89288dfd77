package dev.kmap.script.proto

import java.io.ByteArrayOutputStream

/**
 * A DNS message: building a one-question query (optionally with EDNS and the NSID option) and
 * parsing a reply's header, answers and EDNS options. TXT answers are decoded to text.
 *
 * ```kotlin
 * val query = DnsMessage.query("id.server", DnsMessage.TXT, DnsMessage.CH, nsid = true)
 * val reply = DnsMessage.parse(udp { send(query); receive() } ?: return@action null)
 * println(reply.nsid?.toString(Charsets.UTF_8) + " " + reply.answers.firstOrNull()?.text)
 * ```
 */
public class DnsMessage(
    /** The query id. */ public val id: Int,
    /** The header flags word (QR, opcode, AA, TC, RD, RA, ..., rcode). */ public val flags: Int,
    /** The answer records. */ public val answers: List<Record>,
    /** The EDNS options of an OPT record (code to data), empty without one. */ public val ednsOptions: Map<Int, ByteArray>,
) {
    /** The response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ...). */
    public val rcode: Int get() = flags and 0xf

    /** Recursion available. */
    public val recursionAvailable: Boolean get() = flags and 0x80 != 0

    /** Recursion desired (echoed from the query). */
    public val recursionDesired: Boolean get() = flags and 0x100 != 0

    /** This is a response. */
    public val isResponse: Boolean get() = flags and 0x8000 != 0

    /** The NSID option's data, if the server sent one. */
    public val nsid: ByteArray? get() = ednsOptions[3]

    /** A resource record: owner [name], [type], [dnsClass], [ttl] and raw [data]; [text] for TXT. */
    public class Record(public val name: String, public val type: Int, public val dnsClass: Int, public val ttl: Long, public val data: ByteArray) {
        /** TXT data as its strings joined, or null for another type. */
        public val text: String? get() = if (type != TXT) null else runCatching {
            val r = ByteReader(data, "TXT"); buildString { while (r.remaining > 0) append(String(r.bytes(r.u8()), Charsets.UTF_8)) }
        }.getOrNull()

        /** A/AAAA data as an address string, or null. */
        public val address: String? get() = if ((type == A && data.size == 4) || (type == AAAA && data.size == 16)) java.net.InetAddress.getByAddress(data).hostAddress else null
    }

    public companion object {
        /** Type A. */ public const val A: Int = 1
        /** Type TXT. */ public const val TXT: Int = 16
        /** Type AAAA. */ public const val AAAA: Int = 28
        /** Class IN. */ public const val IN: Int = 1
        /** Class CHAOS. */ public const val CH: Int = 3

        /** The names of the common response codes. */
        public fun rcodeName(rcode: Int): String = listOf("NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED").getOrElse(rcode) { "RCODE$rcode" }

        /** A query for [name] [type] [dnsClass] with RD set if [recursionDesired], and EDNS (asking for NSID) if [nsid]. */
        public fun query(name: String, type: Int, dnsClass: Int = IN, recursionDesired: Boolean = false, nsid: Boolean = false, id: Int = (0..0xffff).random()): ByteArray {
            val out = ByteArrayOutputStream()
            fun u16(v: Int) { out.write(v ushr 8); out.write(v) }
            u16(id); u16(if (recursionDesired) 0x0100 else 0); u16(1); u16(0); u16(0); u16(if (nsid) 1 else 0)
            for (label in name.trimEnd('.').split('.').filter { it.isNotEmpty() }) {
                val b = label.toByteArray(Charsets.US_ASCII)
                require(b.size in 1..63) { "DNS label too long: $label" }
                out.write(b.size); out.write(b)
            }
            out.write(0); u16(type); u16(dnsClass)
            if (nsid) { out.write(0); u16(41); u16(4096); u16(0); u16(0); u16(4); u16(3); u16(0) }
            return out.toByteArray()
        }

        /** Parses a DNS message; [ProtocolException] when it is malformed. */
        public fun parse(bytes: ByteArray): DnsMessage {
            val r = ByteReader(bytes, "DNS message")
            val id = r.u16("id"); val flags = r.u16("flags")
            val qd = r.u16(); val an = r.u16(); val ns = r.u16(); val ar = r.u16()
            repeat(qd) { name(bytes, r); r.skip(4, "question") }
            val answers = ArrayList<Record>()
            val options = LinkedHashMap<Int, ByteArray>()
            repeat(an + ns + ar) { i ->
                val owner = name(bytes, r)
                val type = r.u16("type"); val cls = r.u16("class"); val ttl = r.u32("ttl")
                val data = r.bytes(r.u16("rdlength"), "rdata")
                if (i < an) answers += Record(owner, type, cls, ttl, data)
                if (type == 41) {
                    val o = ByteReader(data, "EDNS options")
                    while (o.remaining > 0) { val code = o.u16("option code"); options[code] = o.bytes(o.u16("option length"), "option") }
                }
            }
            return DnsMessage(id, flags, answers, options)
        }

        private fun name(bytes: ByteArray, r: ByteReader): String {
            val labels = ArrayList<String>()
            var reader = r
            var jumps = 0
            while (true) {
                val len = reader.u8("name label")
                when {
                    len == 0 -> break
                    len and 0xc0 == 0xc0 -> {
                        val target = ((len and 0x3f) shl 8) or reader.u8("name pointer")
                        if (++jumps > 20 || target >= bytes.size) throw ProtocolException("bad DNS name compression pointer $target")
                        reader = ByteReader(bytes, "DNS name", target)
                    }
                    len and 0xc0 != 0 -> throw ProtocolException("bad DNS label length $len")
                    else -> labels += String(reader.bytes(len, "label"), Charsets.ISO_8859_1)
                }
            }
            return labels.joinToString(".")
        }
    }
}
