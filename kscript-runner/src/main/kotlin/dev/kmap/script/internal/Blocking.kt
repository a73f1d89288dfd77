package dev.kmap.script.internal

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * Runs blocking socket I/O on [Dispatchers.IO] so that cancelling the caller really ends it:
 * a thread blocked in a `java.net.Socket` read, connect or TLS handshake ignores interrupts, so on
 * cancellation [abort] runs (it closes the socket, which ends the call at once with an exception
 * that nobody waits for any more).
 */
internal suspend fun <T> cancellableBlocking(abort: () -> Unit, block: () -> T): T = suspendCancellableCoroutine { cont ->
    cont.invokeOnCancellation { runCatching(abort) }
    Dispatchers.IO.asExecutor().execute {
        val result = runCatching(block)
        if (cont.isActive) cont.resumeWith(result)
    }
}
