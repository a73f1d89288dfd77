package dev.kmap.script.proto

/**
 * A bounds-checked big-endian reader over [bytes]: every read past the end throws
 * [ProtocolException] naming [what] was being read, never an index exception.
 *
 * ```kotlin
 * val r = ByteReader(reply, "MySQL handshake")
 * val protocol = r.u8()
 * val version = r.cString()
 * ```
 */
public class ByteReader(private val bytes: ByteArray, private val what: String = "reply", start: Int = 0, end: Int = bytes.size) {
    private val limit = end.coerceIn(0, bytes.size)

    /** The offset of the next byte read. */
    public var position: Int = start.coerceIn(0, limit)
        private set

    /** The bytes left to read. */
    public val remaining: Int get() = limit - position

    private fun need(n: Int, field: String) {
        if (n < 0 || n > remaining) throw ProtocolException("$what too short: $field needs $n bytes, $remaining left at offset $position")
    }

    /** One unsigned byte. */
    public fun u8(field: String = "byte"): Int { need(1, field); return bytes[position++].toInt() and 0xff }

    /** A big-endian unsigned 16-bit number. */
    public fun u16(field: String = "u16"): Int { need(2, field); return (u8() shl 8) or u8() }

    /** A big-endian unsigned 24-bit number. */
    public fun u24(field: String = "u24"): Int { need(3, field); return (u8() shl 16) or (u8() shl 8) or u8() }

    /** A big-endian unsigned 32-bit number. */
    public fun u32(field: String = "u32"): Long { need(4, field); return (u16().toLong() shl 16) or u16().toLong() }

    /** A little-endian unsigned 16-bit number. */
    public fun u16le(field: String = "u16"): Int { need(2, field); return u8() or (u8() shl 8) }

    /** A little-endian unsigned 32-bit number. */
    public fun u32le(field: String = "u32"): Long { need(4, field); return u16le().toLong() or (u16le().toLong() shl 16) }

    /** [n] bytes. */
    public fun bytes(n: Int, field: String = "bytes"): ByteArray { need(n, field); return bytes.copyOfRange(position, position + n).also { position += n } }

    /** Skips [n] bytes. */
    public fun skip(n: Int, field: String = "bytes") { need(n, field); position += n }

    /** Everything left. */
    public fun rest(): ByteArray = bytes(remaining)

    /** Bytes up to a NUL (consumed, not returned), as ISO-8859-1; up to the end if there is none. */
    public fun cString(): String {
        val start = position
        while (position < limit && bytes[position] != 0.toByte()) position++
        val s = String(bytes, start, position - start, Charsets.ISO_8859_1)
        if (position < limit) position++
        return s
    }

    /** A reader over the next [n] bytes (which this one skips). */
    public fun sub(n: Int, field: String = "bytes"): ByteReader { need(n, field); return ByteReader(bytes, what, position, position + n).also { position += n } }
}
