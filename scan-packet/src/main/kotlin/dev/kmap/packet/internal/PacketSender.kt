package dev.kmap.packet.internal

import dev.kmap.packet.PacketBatch

/** The send half of a [dev.kmap.packet.PacketIo]: pcap injection or a raw IP socket, with its counters. */
internal interface PacketSender : AutoCloseable {
    val sent: Long
    val refused: Long
    val failed: Long

    /** Sends from the start of [batch]; returns how many went (fewer only when kernel buffers are full). */
    fun send(batch: PacketBatch): Int
}
