package dev.kmap.cli

import java.io.File

/** What kmap needs to know about the terminal, without native code. */
internal object Terminal {
    /** True when stderr is a terminal: /proc/self/fd/2 is a tty on Linux; elsewhere [System.console]. */
    fun stderrIsTty(): Boolean {
        val fd = File("/proc/self/fd/2")
        if (File("/proc/self/fd").isDirectory) {
            val target = runCatching { fd.canonicalPath }.getOrNull() ?: return false
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target == "/dev/console"
        }
        return System.console() != null
    }

    /** Terminal width from `COLUMNS` when the shell exports it, else 80. */
    fun columns(): Int = System.getenv("COLUMNS")?.toIntOrNull()?.takeIf { it in 20..1000 } ?: 80
}
