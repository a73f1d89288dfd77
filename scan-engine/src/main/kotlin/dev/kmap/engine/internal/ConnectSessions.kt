package dev.kmap.engine.internal

import dev.kmap.engine.ProbeSession

/**
 * Which connect session a scan gets, chosen once per session: [NativeConnectSession] (direct
 * syscalls, epoll) where it loads (64-bit Linux with JNA), else the portable NIO [ConnectSession].
 * The environment variable `KMAP_CONNECT_SESSION` (inherited by child JVMs, so tests can run the
 * same scans on both) forces one: `nio` or `native` (`native` where it cannot load fails the
 * session with the reason).
 */
internal object ConnectSessions {
    const val ENV = "KMAP_CONNECT_SESSION"

    /** The session kind asked for by [ENV] (null: the default), checked once. */
    private val forced: String? by lazy { System.getenv(ENV)?.trim()?.lowercase()?.takeIf { it.isNotEmpty() } }

    /** "native" or "nio": what [open] gives in this process, given [forced]. */
    fun kind(forced: String? = this.forced, nativeUnavailable: () -> String? = { NativeConnectSession.unavailableReason }): String = when (forced) {
        null -> if (nativeUnavailable() == null) "native" else "nio"
        "nio" -> "nio"
        "native" -> nativeUnavailable()?.let { throw IllegalStateException("$ENV=native: $it") } ?: "native"
        else -> throw IllegalArgumentException("$ENV=$forced: expected nio or native")
    }

    fun open(capacity: Int): ProbeSession = if (kind() == "native") NativeConnectSession(capacity) else ConnectSession(capacity)
}
