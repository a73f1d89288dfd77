package dev.kmap.script

/**
 * Where a [ScriptRunner] runs library scripts.
 *
 * ```kotlin
 * val host = ScriptHost(isolation = ScriptIsolation.IN_PROCESS)   // e.g. where no child JVM may be started
 * ```
 */
public enum class ScriptIsolation {
    /**
     * In a worker JVM per runner (per scan), started with this JVM's java, class path and
     * class-data archive. A rule or action that ignores its time budget is really stopped: the
     * worker is ended after that host and a fresh one takes the next. The default.
     */
    PROCESS,

    /**
     * In this JVM, on daemon threads: no worker to start, but code that ignores cancellation
     * (a busy loop) cannot be stopped; its thread is abandoned and keeps running until the JVM exits.
     */
    IN_PROCESS,
    ;

    public companion object {
        /** System property that picks the default: `process` or `in-process`. */
        public const val PROPERTY: String = "kmap.script.isolation"

        /** [PROCESS], unless `-Dkmap.script.isolation=in-process`. */
        public fun default(): ScriptIsolation = if (System.getProperty(PROPERTY) == "in-process") IN_PROCESS else PROCESS
    }
}
