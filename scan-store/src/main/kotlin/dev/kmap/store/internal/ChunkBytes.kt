package dev.kmap.store.internal

import dev.kmap.store.StoreException
import java.nio.ByteBuffer
import java.nio.charset.CharacterCodingException
import java.nio.charset.CodingErrorAction

/**
 * The bytes of the store's chunks ([PortChunks], [HostChunks]) as they are written: unsigned
 * LEB128 varints, zigzag varints for numbers that may be negative, strings as byte length and
 * UTF-8. A growing buffer, not ByteArrayOutputStream (its synchronised write per byte was most of
 * an encoder's time).
 */
internal class ChunkOut(capacity: Int) {
    private var buf = ByteArray(maxOf(16, capacity))
    var size = 0
        private set

    private fun room(n: Int) {
        if (size + n > buf.size) buf = buf.copyOf(maxOf(size + n, buf.size * 2))
    }

    fun byte(v: Int) {
        room(1)
        buf[size++] = v.toByte()
    }

    fun varint(value: Long) {
        room(10)
        var v = value
        while (v and 0x7fL.inv() != 0L) {
            buf[size++] = ((v and 0x7f) or 0x80).toByte()
            v = v ushr 7
        }
        buf[size++] = v.toByte()
    }

    /** Any long, zigzag-encoded (small magnitudes stay short, negative ones too). */
    fun long(v: Long) = varint((v shl 1) xor (v shr 63))

    /** Any long or null: a presence byte, then [long]. */
    fun nullableLong(v: Long?) {
        if (v == null) byte(0) else { byte(1); long(v) }
    }

    fun string(s: String) {
        val bytes = s.toByteArray(Charsets.UTF_8)
        varint(bytes.size.toLong())
        write(bytes, 0, bytes.size)
    }

    /** A string or null: byte length + 1 (0: null), then the bytes. */
    fun nullableString(s: String?) {
        if (s == null) { byte(0); return }
        val bytes = s.toByteArray(Charsets.UTF_8)
        varint(bytes.size + 1L)
        write(bytes, 0, bytes.size)
    }

    fun write(bytes: ByteArray, from: Int, n: Int) {
        room(n)
        System.arraycopy(bytes, from, buf, size, n)
        size += n
    }

    fun buffer(): ByteArray = buf
    fun toByteArray(): ByteArray = buf.copyOf(size)
}

/** A chunk's string table while the chunk is written: each distinct string once, by index. */
internal class ChunkStrings {
    private val index = HashMap<String, Int>()
    private val list = ArrayList<String>()

    /** The index of [s], added if new. */
    fun of(s: String): Int = index.getOrPut(s) { list += s; list.size - 1 }

    /** Writes the table: count, then each string. */
    fun write(out: ChunkOut) {
        out.varint(list.size.toLong())
        for (s in list) out.string(s)
    }
}

/**
 * A whole chunk: its [format] byte, its [strings] table, its entry [count], then the entries
 * ([body]); [ChunkIn.header] reads the first three back.
 */
internal fun chunkBytes(format: Int, strings: ChunkStrings, count: Int, body: ChunkOut): ByteArray {
    val out = ChunkOut(body.size + 64)
    out.byte(format)
    strings.write(out)
    out.varint(count.toLong())
    out.write(body.buffer(), 0, body.size)
    return out.toByteArray()
}

/** Reads what [ChunkOut] wrote, totally: anything malformed is one [StoreException] naming [what]. */
internal class ChunkIn(private val data: ByteArray, private val what: String) {
    var at = 0
    private val decoder = Charsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)

    fun bad(why: String): Nothing = throw StoreException("$what is corrupt: $why (at byte $at of ${data.size})")

    fun byte(): Int = if (at < data.size) data[at++].toInt() and 0xff else bad("it ends early")

    /** A varint of at most 63 bits (a longer one is corrupt). */
    fun varint(): Long = unsigned(lastMax = 0)

    /** A zigzag varint of 64 bits ([ChunkOut.long]). */
    fun long(): Long {
        val v = unsigned(lastMax = 1)
        return (v ushr 1) xor -(v and 1)
    }

    /** An unsigned LEB128 number whose tenth byte (bit 63) is at most [lastMax]. */
    private fun unsigned(lastMax: Int): Long {
        var v = 0L
        var shift = 0
        while (true) {
            val b = byte()
            if (shift == 63 && b > lastMax) bad("a number is too long")
            v = v or ((b and 0x7f).toLong() shl shift)
            if (b and 0x80 == 0) return v
            shift += 7
            if (shift > 63) bad("a number is too long")
        }
    }

    fun nullableLong(): Long? = when (byte()) {
        0 -> null
        1 -> long()
        else -> bad("a presence byte is neither 0 nor 1")
    }

    /** A varint between 0 and [max]. */
    fun count(max: Int, name: String): Int {
        val v = varint()
        if (v < 0 || v > max) bad("$name $v out of range (0..$max)")
        return v.toInt()
    }

    fun string(): String = utf8(count(Int.MAX_VALUE, "string length"))

    fun nullableString(): String? {
        val n = count(Int.MAX_VALUE, "string length")
        return if (n == 0) null else utf8(n - 1)
    }

    /** The next [n] bytes, as they are. */
    fun bytes(n: Int): ByteArray {
        if (n > data.size - at) bad("$n bytes run past the end")
        return data.copyOfRange(at, at + n).also { at += n }
    }

    private fun utf8(n: Int): String {
        if (n > data.size - at) bad("a string of $n bytes runs past the end")
        val s = try {
            decoder.decode(ByteBuffer.wrap(data, at, n)).toString()
        } catch (e: CharacterCodingException) {
            bad("a string is not UTF-8")
        }
        at += n
        return s
    }

    /** A table that [ChunkStrings.write] wrote. */
    fun strings(): Array<String> = Array(count(data.size, "strings")) { string() }

    /** The start of a chunk that [chunkBytes] wrote in [format]: its string table (the entry count is read next). */
    fun header(format: Int): Array<String> {
        val f = byte()
        if (f != format) bad("unknown format $f (expected $format)")
        return strings()
    }

    /** Raises unless every byte was read. */
    fun end() {
        if (at != data.size) bad("${data.size - at} bytes after the end")
    }
}
