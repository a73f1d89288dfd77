package dev.kmap.packet.internal

import dev.kmap.dsl.IpAddress

// Big-endian (network order) accessors on byte arrays; callers check bounds first.

internal fun ByteArray.u8(i: Int): Int = this[i].toInt() and 0xff

internal fun ByteArray.u16(i: Int): Int = ((this[i].toInt() and 0xff) shl 8) or (this[i + 1].toInt() and 0xff)

internal fun ByteArray.i32(i: Int): Int =
    ((this[i].toInt() and 0xff) shl 24) or ((this[i + 1].toInt() and 0xff) shl 16) or
        ((this[i + 2].toInt() and 0xff) shl 8) or (this[i + 3].toInt() and 0xff)

internal fun ByteArray.i64(i: Int): Long = (i32(i).toLong() shl 32) or (i32(i + 4).toLong() and 0xffff_ffffL)

/** 48 bits at [i] (a MAC address). */
internal fun ByteArray.u48(i: Int): Long = (u16(i).toLong() shl 32) or (i32(i + 2).toLong() and 0xffff_ffffL)

internal fun ByteArray.put16(i: Int, v: Int) {
    this[i] = (v ushr 8).toByte()
    this[i + 1] = v.toByte()
}

internal fun ByteArray.put32(i: Int, v: Int) {
    this[i] = (v ushr 24).toByte()
    this[i + 1] = (v ushr 16).toByte()
    this[i + 2] = (v ushr 8).toByte()
    this[i + 3] = v.toByte()
}

internal fun ByteArray.put64(i: Int, v: Long) {
    put32(i, (v ushr 32).toInt())
    put32(i + 4, v.toInt())
}

internal fun ByteArray.put48(i: Int, v: Long) {
    put16(i, (v ushr 32).toInt())
    put32(i + 2, v.toInt())
}

/** Writes [a] (4 or 16 bytes) at [i]. */
internal fun ByteArray.putAddress(i: Int, a: IpAddress) {
    if (a.isV6) {
        put64(i, a.high)
        put64(i + 8, a.low)
    } else {
        put32(i, a.low.toInt())
    }
}

/** The IPv4 address at [i]. */
internal fun ByteArray.v4At(i: Int): IpAddress = IpAddress.ofV4(i32(i))

/** The IPv6 address at [i] (allocates its 16 bytes: IpAddress has no public (high, low) factory). */
internal fun ByteArray.v6At(i: Int): IpAddress = IpAddress.ofBytes(copyOfRange(i, i + 16))
