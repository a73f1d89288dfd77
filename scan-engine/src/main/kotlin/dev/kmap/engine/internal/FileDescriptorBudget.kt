package dev.kmap.engine.internal

import com.sun.management.UnixOperatingSystemMXBean
import java.lang.management.ManagementFactory

/**
 * How many more sockets this process may open. HotSpot on Linux raises the soft RLIMIT_NOFILE to
 * the hard limit at start (-XX:+MaxFDLimit, on by default), and `bin/kmap` raises it in the shell
 * too; what is left is read here and a margin kept for the rest of the process (jars, logs,
 * output files). Running out anyway is handled as back-pressure by the probe loop.
 */
internal object FileDescriptorBudget {
    private const val MARGIN = 128
    private const val MIN = 8
    private const val MAX = 32_768

    fun available(): Int {
        val os = ManagementFactory.getOperatingSystemMXBean() as? UnixOperatingSystemMXBean ?: return 1_024
        val free = os.maxFileDescriptorCount - os.openFileDescriptorCount
        return ((free * 0.8).toLong() - MARGIN).coerceIn(MIN.toLong(), MAX.toLong()).toInt()
    }
}
