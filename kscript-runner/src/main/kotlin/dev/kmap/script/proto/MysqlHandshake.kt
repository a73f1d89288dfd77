package dev.kmap.script.proto

/**
 * The initial handshake packet a MySQL/MariaDB server sends (protocol 10), or its error packet.
 *
 * ```kotlin
 * val hs = MysqlHandshake.parse(tcp { receiveBytes(4096) })
 * println("${hs.version} thread ${hs.threadId} ${hs.authPlugin}")
 * ```
 */
public class MysqlHandshake(
    /** Protocol version (10). */ public val protocol: Int,
    /** Server version string as sent (MariaDB prefixes `5.5.5-`). */ public val version: String,
    /** Connection (thread) id. */ public val threadId: Long,
    /** Capability flags (lower and upper 16 bits). */ public val capabilities: Long,
    /** Default character set id. */ public val charset: Int,
    /** Status flags. */ public val status: Int,
    /** The authentication plugin name, if sent. */ public val authPlugin: String?,
) {
    /** Names of the set capability flags of the lower 16 bits, as nmap lists them. */
    public val capabilityNames: List<String> get() = CAPS.filterKeys { capabilities and it != 0L }.values.toList()

    public companion object {
        private val CAPS = linkedMapOf(
            0x1L to "LongPassword", 0x2L to "FoundRows", 0x4L to "LongColumnFlag", 0x8L to "ConnectWithDatabase",
            0x10L to "DontAllowDatabaseTableColumn", 0x20L to "SupportsCompression", 0x40L to "ODBCClient",
            0x80L to "SupportsLoadDataLocal", 0x100L to "IgnoreSpaceBeforeParenthesis", 0x200L to "Speaks41ProtocolNew",
            0x400L to "InteractiveClient", 0x800L to "SwitchToSSLAfterHandshake", 0x1000L to "IgnoreSigpipes",
            0x2000L to "SupportsTransactions", 0x4000L to "Speaks41ProtocolOld", 0x8000L to "Support41Auth",
        )

        /**
         * Parses the first packet (4-byte header + payload). An error packet (0xFF) throws
         * [ProtocolException] carrying the server's message ("Host ... is not allowed to connect").
         */
        public fun parse(packet: ByteArray): MysqlHandshake {
            val h = ByteReader(packet, "MySQL packet")
            val length = h.u24("packet length"); h.u8("sequence")
            val r = h.sub(minOf(length, h.remaining), "payload")
            val protocol = r.u8("protocol")
            if (protocol == 0xff) {
                val code = r.u16le("error code")
                throw ProtocolException("MySQL error $code: " + String(r.rest(), Charsets.UTF_8).removePrefix("#").trim())
            }
            if (protocol != 10 && protocol != 9) throw ProtocolException("not a MySQL handshake: protocol $protocol")
            val version = r.cString()
            val thread = r.u32le("thread id")
            if (protocol == 9) return MysqlHandshake(protocol, version, thread, 0, 0, 0, null)
            r.skip(8, "auth data"); r.skip(1, "filler")
            var caps = r.u16le("capabilities").toLong()
            var charset = 0; var status = 0; var plugin: String? = null
            if (r.remaining > 0) {
                charset = r.u8("charset"); status = r.u16le("status")
                caps = caps or (r.u16le("capabilities").toLong() shl 16)
                val authLen = r.u8("auth data length")
                r.skip(10, "reserved")
                if (caps and 0x8000 != 0L) r.skip(maxOf(13, authLen - 8).coerceAtMost(r.remaining), "auth data")
                if (caps and 0x80000 != 0L && r.remaining > 0) plugin = r.cString()
            }
            return MysqlHandshake(protocol, version, thread, caps, charset, status, plugin)
        }
    }
}
