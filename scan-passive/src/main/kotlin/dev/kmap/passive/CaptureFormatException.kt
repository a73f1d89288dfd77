package dev.kmap.passive

import java.io.IOException

/**
 * A capture file that is not pcap or pcapng, or is corrupt: the message names the file, the
 * byte offset and the bad value, in one line.
 *
 * ```kotlin
 * try { CaptureFileSource.open(path) } catch (e: CaptureFormatException) { println(e.message) }
 * // "notes.txt: not a pcap or pcapng file (first bytes 0x6e6f7465)"
 * ```
 */
public class CaptureFormatException(message: String) : IOException(message)
