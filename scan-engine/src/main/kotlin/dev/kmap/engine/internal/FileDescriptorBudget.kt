package dev.kmap.engine.internal

import java.io.File

/**
 * How many more sockets this process may open. HotSpot on Linux raises the soft RLIMIT_NOFILE to
 * the hard limit at start (-XX:+MaxFDLimit, on by default), and `bin/kmap` raises it in the shell
 * too; what is left is read from /proc (cheaper at start-up than the management beans) and a
 * margin kept for the rest of the process (jars, logs, output files). Running out anyway is
 * handled as back-pressure by the probe loop.
 */
internal object FileDescriptorBudget {
    private const val MARGIN = 128
    private const val MIN = 8
    private const val MAX = 32_768

    fun available(): Int {
        val limit = softLimit() ?: return 1_024
        val open = File("/proc/self/fd").list()?.size ?: return 1_024
        return ((limit - open) * 0.8).toLong().minus(MARGIN).coerceIn(MIN.toLong(), MAX.toLong()).toInt()
    }

    /** "Max open files  <soft>  <hard>  files" from /proc/self/limits. */
    private fun softLimit(): Long? = runCatching {
        File("/proc/self/limits").readLines().firstOrNull { it.startsWith("Max open files") }
            ?.removePrefix("Max open files")?.trim()?.split(Regex("\\s+"))?.firstOrNull()
            ?.let { if (it == "unlimited") Long.MAX_VALUE / 2 else it.toLong() }
    }.getOrNull()
}
