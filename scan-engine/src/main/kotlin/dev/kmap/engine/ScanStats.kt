package dev.kmap.engine

import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.Serializable

/**
 * Totals of a finished (or stopped) scan. Times are epoch milliseconds.
 *
 * Completeness: [probesUnanswered] probes went unanswered through every retransmission (their
 * ports are filtered or open|filtered, their hosts down); [reprobes] re-probes of silent ones were
 * sent at a lower rate before they were called silent (some more than one, in rounds, while their
 * round's re-probes were answered), and [reprobesAnswered] of those then answered (results that
 * loss alone would have got wrong); [rateLowered] is true when the scan
 * slowed down for that or because replies were being dropped (a raised scan delay). The four
 * are left out of JSON while zero / false.
 *
 * ```kotlin
 * println("${stats.hostsUp} hosts up, ${stats.elapsedMillis} ms" + if (stats.interrupted) " (interrupted)" else "")
 * if (stats.probesUnanswered > 0) println("${stats.probesUnanswered} probes unanswered" + if (stats.rateLowered) " (rate lowered)" else "")
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public data class ScanStats(
    val startedAtMillis: Long,
    val finishedAtMillis: Long,
    val hostsUp: Long,
    val hostsDown: Long,
    val hostsTotal: Long,
    val probesSent: Long,
    val interrupted: Boolean,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val probesUnanswered: Long = 0,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val reprobes: Long = 0,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val reprobesAnswered: Long = 0,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val rateLowered: Boolean = false,
) {
    /** Wall time of the scan. */
    val elapsedMillis: Long get() = finishedAtMillis - startedAtMillis
}
