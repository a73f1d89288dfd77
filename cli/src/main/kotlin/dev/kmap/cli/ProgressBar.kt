package dev.kmap.cli

import dev.kmap.engine.ScanEvent
import java.io.PrintStream
import java.util.Locale

/**
 * The progress line on a terminal's stderr, redrawn in place from [ScanEvent.Progress]:
 * `[#######.............]  35%  3/10 hosts  12,345 probes  5,120/s  ETA 0:42`.
 * [clear] wipes it before other output and at the end.
 */
internal class ProgressBar(private val err: PrintStream, private val width: Int) {
    private var shown = false

    fun update(p: ScanEvent.Progress, elapsedMillis: Long) {
        err.print("\r" + render(p, elapsedMillis, width) + CLEAR_TO_END)
        err.flush()
        shown = true
    }

    fun clear() {
        if (!shown) return
        err.print("\r$CLEAR_TO_END")
        err.flush()
        shown = false
    }

    companion object {
        private const val CLEAR_TO_END = "\u001b[K"

        /** The line for [p], at most [width] - 1 characters (so the cursor never wraps). */
        fun render(p: ScanEvent.Progress, elapsedMillis: Long, width: Int): String {
            val fraction = fraction(p, elapsedMillis)
            val percent = String.format(Locale.ROOT, "%3d%%", (fraction * 100).toInt())
            val eta = p.etaMillis?.let { " ETA ${clock(it)}" } ?: ""
            val text = String.format(Locale.ROOT, " %s  %d/%d hosts  %,d probes  %,d/s%s", percent, p.hostsDone, p.hostsTotal, p.probesSent, p.probesPerSecond.toLong(), eta)
            val barWidth = (width - 1 - text.length - 2).coerceAtMost(40)
            if (barWidth < 10) return text.trim().take((width - 1).coerceAtLeast(0))
            val filled = (fraction * barWidth).toInt().coerceIn(0, barWidth)
            return "[" + "#".repeat(filled) + ".".repeat(barWidth - filled) + "]" + text
        }

        /** Done fraction: from elapsed and ETA when the engine estimates one, else hosts done. */
        fun fraction(p: ScanEvent.Progress, elapsedMillis: Long): Double {
            val eta = p.etaMillis
            return when {
                eta != null && elapsedMillis + eta > 0 -> elapsedMillis.toDouble() / (elapsedMillis + eta)
                p.hostsTotal > 0 -> p.hostsDone.toDouble() / p.hostsTotal
                else -> 0.0
            }.coerceIn(0.0, 1.0)
        }

        /** `0:42`, `12:05`, `3:04:05`. */
        fun clock(millis: Long): String {
            val s = millis / 1000
            return if (s >= 3600) String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            else String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60)
        }
    }
}
