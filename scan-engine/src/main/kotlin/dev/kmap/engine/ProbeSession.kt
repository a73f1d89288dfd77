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

    /** Waits at most [timeoutNanos] (0: do not wait) for replies and hands each to [sink]. */
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
    /** [probe] was answered; [verdict] is what the answer means. */
    public fun reply(probe: Probe, verdict: Verdict)
}
