package dev.kmap.report

import dev.kmap.dsl.Expectations
import dev.kmap.engine.ScanEvent

/**
 * Where a scan's events go: a report file, the terminal, a progress bar, a store. A [ScanJob]
 * drives every sink through the same life, in this order:
 *
 * 1. [open], before the first packet: reserve and check what the sink will write (open files
 *    without truncating them). Throwing refuses the whole scan; nothing has been written, and
 *    sinks already opened are [close]d with `started = false`.
 * 2. [event] for each engine event in order: [ScanEvent.Started] first, [ScanEvent.Finished]
 *    last. `Finished` always follows `Started`: when the scan fails or is cancelled midway the
 *    job delivers a `Finished` of its own with `stats.interrupted = true`, so documents close
 *    well-formed.
 * 3. [verdict] at most once, after the last host and before `Finished`, when the job checked
 *    expectations (not after an interrupted scan).
 * 4. [close], always, exactly once.
 *
 * Between 2's events, every 50 ms or so, [flush]: a sink that buffers what it writes (and so
 * need not flush after each of a sweep's 65536 hosts) writes it out, so a reader sees each host soon.
 *
 * Calls come one at a time (the job serialises them): implementations need no locks. They run on
 * the scan's path, so they should not block for long (buffer, and flush now and then).
 *
 * ```kotlin
 * val openPorts = object : ScanSink {
 *     override fun event(event: ScanEvent) {
 *         if (event is ScanEvent.PortFound && event.result.state == PortState.OPEN) println(event.result.port)
 *     }
 * }
 * ScanJob(plan, sinks = listOf(openPorts)).runBlocking()
 * ```
 */
public fun interface ScanSink {
    /** Before the first packet: check and reserve; throw (one-line message) to refuse the scan. */
    public fun open() {}

    /** One engine event, in order. */
    public fun event(event: ScanEvent)

    /** Write out what is buffered: called every few tens of milliseconds while the scan runs (see the class's KDoc). */
    public fun flush() {}

    /** [expectations] were checked and broken as [violations] (empty: all hold). */
    public fun verdict(expectations: Expectations, violations: List<Violation>) {}

    /**
     * The end, whatever happened. [started] is false when the scan never began (it was refused
     * or failed before [ScanEvent.Started]): undo what [open] created.
     */
    public fun close(started: Boolean) {}
}
