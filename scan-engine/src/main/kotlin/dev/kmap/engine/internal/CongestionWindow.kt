package dev.kmap.engine.internal

/**
 * The probe window, as TCP and nmap do it: slow start (+1 per reply below [ssthresh]), congestion
 * avoidance (+1/cwnd per reply above it), and on loss halve the window ([ssthresh] = half the
 * probes in flight). Bounded to [minWindow]..[maxWindow]. Doubles, but every update is clamped,
 * so NaN and infinity cannot appear.
 */
internal class CongestionWindow(
    initial: Double,
    private val minWindow: Double,
    private val maxWindow: Double,
    initialSsthresh: Double,
) {
    init {
        require(minWindow >= 1.0 && maxWindow >= minWindow) { "window bounds $minWindow..$maxWindow" }
    }

    var cwnd: Double = initial.coerceIn(minWindow, maxWindow)
        private set
    var ssthresh: Double = initialSsthresh.coerceIn(minWindow, maxWindow)
        private set

    /** Probes allowed in flight now. */
    val window: Int get() = cwnd.toInt()

    /** A reply came back: grow. */
    fun onReply() {
        cwnd = if (cwnd < ssthresh) cwnd + 1.0 else cwnd + 1.0 / cwnd
        cwnd = cwnd.coerceIn(minWindow, maxWindow)
    }

    /** A probe was lost (a retransmission got the answer): back off. */
    fun onLoss(inFlight: Int) {
        ssthresh = (maxOf(inFlight, window) / 2.0).coerceIn(minWindow, maxWindow)
        cwnd = ssthresh
    }

    /** A resource ran out with [inFlight] probes out: never ask for more than that. */
    fun capAt(inFlight: Int) {
        cwnd = inFlight.toDouble().coerceIn(minWindow, maxWindow)
        ssthresh = minOf(ssthresh, cwnd).coerceIn(minWindow, maxWindow)
    }
}
