package dev.kmap.packet

/**
 * An Ethernet (EUI-48) address, held in the low 48 bits of [bits].
 *
 * ```kotlin
 * val mac = MacAddress.parse("02:6b:6d:00:02:01")
 * println(mac)              // 02:6b:6d:00:02:01
 * println(MacAddress.BROADCAST.bits.toString(16)) // ffffffffffff
 * ```
 *
 * @property bits the address, most significant byte first, in bits 47..0.
 */
public class MacAddress(bits: Long) {
    public val bits: Long = bits and MASK

    /**
     * The six bytes in transmission order.
     *
     * ```kotlin
     * MacAddress.parse("02:00:00:00:00:01").toBytes() // [2, 0, 0, 0, 0, 1]
     * ```
     */
    public fun toBytes(): ByteArray = ByteArray(6) { i -> (bits ushr (40 - 8 * i)).toByte() }

    /** True for the group (multicast or broadcast) addresses: the I/G bit of the first byte is set. */
    public val isMulticast: Boolean get() = (bits ushr 40) and 1L == 1L

    override fun equals(other: Any?): Boolean = other is MacAddress && other.bits == bits

    override fun hashCode(): Int = bits.hashCode()

    /** Lower-case, colon-separated: `02:6b:6d:00:02:01`. */
    override fun toString(): String = (0 until 6).joinToString(":") { i -> "%02x".format((bits ushr (40 - 8 * i)) and 0xff) }

    /** Constants and parsing. */
    public companion object {
        private const val MASK = 0xffff_ffff_ffffL

        /** `ff:ff:ff:ff:ff:ff`. */
        public val BROADCAST: MacAddress = MacAddress(MASK)

        /** `00:00:00:00:00:00` (the loopback interface's address, an unknown ARP target). */
        public val ZERO: MacAddress = MacAddress(0)

        /**
         * Parses six hexadecimal bytes separated by `:` or `-`; raises [IllegalArgumentException] otherwise.
         *
         * ```kotlin
         * MacAddress.parse("02-6B-6D-00-02-01").toString() // "02:6b:6d:00:02:01"
         * ```
         */
        public fun parse(text: String): MacAddress =
            requireNotNull(parseOrNull(text)) { "not a MAC address (six hex bytes separated by ':' or '-'): '$text'" }

        /**
         * Like [parse], but null for malformed text.
         *
         * ```kotlin
         * MacAddress.parseOrNull("00:00") // null
         * ```
         */
        public fun parseOrNull(text: String): MacAddress? {
            val parts = text.trim().split(':', '-')
            if (parts.size != 6) return null
            var v = 0L
            for (p in parts) {
                if (p.isEmpty() || p.length > 2) return null
                val b = p.toIntOrNull(16) ?: return null
                v = (v shl 8) or b.toLong()
            }
            return MacAddress(v)
        }

        /**
         * The address in six bytes of [bytes] from [offset].
         *
         * ```kotlin
         * MacAddress.ofBytes(byteArrayOf(2, 0, 0, 0, 0, 1)) // 02:00:00:00:00:01
         * ```
         */
        public fun ofBytes(bytes: ByteArray, offset: Int = 0): MacAddress {
            require(offset >= 0 && bytes.size - offset >= 6) { "a MAC address needs 6 bytes" }
            var v = 0L
            for (i in 0 until 6) v = (v shl 8) or (bytes[offset + i].toLong() and 0xff)
            return MacAddress(v)
        }
    }
}
