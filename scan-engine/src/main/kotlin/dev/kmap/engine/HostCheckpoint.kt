package dev.kmap.engine

import dev.kmap.dsl.PortSet
import kotlinx.serialization.Serializable

/**
 * Where one host at or past a checkpoint's position stands: its target-order [position], the
 * [host], whether it is [finished] (its [ScanEvent.HostFinished] was reported: a resumed scan
 * skips it) and, for a host still in flight, the [reason] it was found up and the ports whose
 * [ScanEvent.PortFound] was reported ([decided]: a resumed scan does not probe them again).
 *
 * ```kotlin
 * checkpoint.hosts.filter { !it.finished }.forEach { println("${it.host}: ${it.decided.tcp.size} TCP ports done") }
 * ```
 */
@Serializable
public data class HostCheckpoint(
    val position: Long,
    val host: Host,
    val finished: Boolean,
    val reason: String? = null,
    val decided: PortSet = PortSet(),
)
