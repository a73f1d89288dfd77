package dev.kmap.engine

import dev.kmap.dsl.KmapExtensionPoint

/**
 * One run of a [ProbeModule]. Threading: the engine calls every method from one thread, its probe
 * loop; [poll] may block up to its timeout and must return early when that thread is interrupted.
 *
 * ```kotlin
 * module.open().use { s -> if (s.send(probe) == SendResult.SENT) s.poll(1_000_000) { p, v -> println("$p $v") } }
 * ```
 */
@SubclassOptInRequired(KmapExtensionPoint::class)
public interface ProbeSession : AutoCloseable {
    /** The most probes this session can hold in flight (e.g. bounded by open file descriptors). */
    public val capacity: Int

    /** Sends [probe]. Returns [SendResult.BUSY] when out of a resource right now (try later). */
    public fun send(probe: Probe): SendResult

    /**
     * Waits at most [timeoutNanos] (0: do not wait) for replies and hands each to [sink]: every
     * reply already waiting, not a batch of them (before the engine calls a probe lost, it looks
     * with 0, and that look must find the probe's answer if it came).
     */
    @KmapExtensionPoint
    public fun poll(timeoutNanos: Long, sink: ReplySink)

    /** Forgets [probe], whose time ran out, and frees what it holds. */
    public fun abandon(probe: Probe)
}

/**
 * The outcome of [ProbeSession.send].
 *
 * ```kotlin
 * if (session.send(p) == SendResult.BUSY) retryLater(p)
 * ```
 */
public enum class SendResult {
    /** The probe is on its way; a reply or a timeout will follow. */
    SENT,
    /** Not sent: a resource (sockets, buffers) is exhausted for now. */
    BUSY,
}

/**
 * Receives replies from [ProbeSession.poll]: the [Probe] a reply answers and the module's
 * [Verdict] of it. The engine implements it (its probe loop); a session only calls it.
 *
 * ```kotlin
 * val sink = ReplySink { probe, verdict -> println("${probe.port}: ${verdict.state}") }
 * ```
 */
@KmapExtensionPoint
public fun interface ReplySink {
    /** [probe] was answered; [verdict] is what the answer means. Which attempt the answer is to is not known. */
    public fun reply(probe: Probe, verdict: Verdict)

    /**
     * [probe] was answered, and the answer says which attempt it is to: [answeredAttempt] is
     * that attempt (a late answer to an earlier one is below [Probe.attempt]: the port's verdict
     * still counts, the round trip of the latest does not), [UNKNOWN_ATTEMPT] when the answer
     * cannot tell, or [NO_EXCHANGE] when no packet went out or came back (no route, the neighbour
     * did not answer): a verdict with no round trip in it.
     *
     * ```kotlin
     * sink.reply(probe, verdict, answeredAttempt = attemptCarriedInTheReply)
     * ```
     */
    public fun reply(probe: Probe, verdict: Verdict, answeredAttempt: Int): Unit = reply(probe, verdict)

    /** Values of `answeredAttempt`. */
    public companion object {
        /** The answer does not say which attempt it is to. */
        public const val UNKNOWN_ATTEMPT: Int = -1

        /** The verdict was reached without a packet exchange. */
        public const val NO_EXCHANGE: Int = -2
    }
}
