package dev.kmap.packet

/**
 * TCP header flag bits, and the flag sets of nmap's TCP scan types.
 *
 * ```kotlin
 * val xmas = TcpProbeTemplate(source, eth, TcpFlags.XMAS_SCAN)
 * if (reply.flags and TcpFlags.RST != 0) println("closed")
 * println(TcpFlags.toString(TcpFlags.SYN or TcpFlags.ACK)) // "SA"
 * ```
 */
public object TcpFlags {
    /** No more data from sender. */
    public const val FIN: Int = 0x01

    /** Synchronize sequence numbers. */
    public const val SYN: Int = 0x02

    /** Reset the connection. */
    public const val RST: Int = 0x04

    /** Push. */
    public const val PSH: Int = 0x08

    /** The acknowledgment field is significant. */
    public const val ACK: Int = 0x10

    /** The urgent pointer is significant. */
    public const val URG: Int = 0x20

    /** ECN echo. */
    public const val ECE: Int = 0x40

    /** Congestion window reduced. */
    public const val CWR: Int = 0x80

    /** `-sS`: SYN. */
    public const val SYN_SCAN: Int = SYN

    /** `-sF`: FIN. */
    public const val FIN_SCAN: Int = FIN

    /** `-sN`: no flags at all. */
    public const val NULL_SCAN: Int = 0

    /** `-sX`: FIN, PSH and URG. */
    public const val XMAS_SCAN: Int = FIN or PSH or URG

    /** `-sA`: ACK. */
    public const val ACK_SCAN: Int = ACK

    /** `-sW`: ACK, like the ACK scan; the RST's window tells open from closed. */
    public const val WINDOW_SCAN: Int = ACK

    /** `-sM`: FIN and ACK. */
    public const val MAIMON_SCAN: Int = FIN or ACK

    private const val LETTERS = "FSRPAUEC"

    /**
     * The set flags as letters in bit order (F S R P A U E C), `"-"` for none.
     *
     * ```kotlin
     * TcpFlags.toString(TcpFlags.XMAS_SCAN) // "FPU"
     * ```
     */
    public fun toString(flags: Int): String {
        val sb = StringBuilder(8)
        for (i in 0 until 8) if (flags and (1 shl i) != 0) sb.append(LETTERS[i])
        return if (sb.isEmpty()) "-" else sb.toString()
    }
}
