package dev.kmap.packet

import java.io.IOException

/**
 * Packet I/O failed: an interface cannot be opened (no privilege, no libpcap, no such device),
 * a filter does not compile, a send or receive failed for good.
 *
 * ```kotlin
 * try { PacketIo.open("eth9") } catch (e: PacketIoException) { println(e.message) }
 * ```
 */
public class PacketIoException(message: String, cause: Throwable? = null) : IOException(message, cause)
