package dev.kmap.store.internal

import java.io.File

/** Which process writes a scan (`pid@host`), so a scan whose process died reads as aborted at once on its own machine. */
internal object ProcessId {
    // the kernel's name for the machine: no name lookup (which can hang where the name does not resolve)
    private val host: String = runCatching { File("/proc/sys/kernel/hostname").readText().trim() }.getOrNull()?.takeIf { it.isNotEmpty() }
        ?: System.getenv("HOSTNAME") ?: System.getenv("COMPUTERNAME") ?: "localhost"

    val current: String = "${ProcessHandle.current().pid()}@$host".take(255)

    /** True when [id] names a process of this machine that no longer runs. */
    fun isDeadHere(id: String): Boolean {
        val at = id.indexOf('@')
        if (at < 0 || id.substring(at + 1) != host) return false
        val pid = id.substring(0, at).toLongOrNull() ?: return false
        return !ProcessHandle.of(pid).map { it.isAlive }.orElse(false)
    }
}
