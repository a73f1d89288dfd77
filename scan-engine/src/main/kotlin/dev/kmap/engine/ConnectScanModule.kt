package dev.kmap.engine

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanType
import dev.kmap.engine.internal.ConnectSessions
import dev.kmap.engine.internal.FileDescriptorBudget
import kotlin.reflect.KClass

/**
 * The TCP connect scan (`-sT`) and the unprivileged TCP connect ping: a full kernel connect() per
 * probe, on non-blocking sockets in one epoll set by direct syscalls (NIO channels and a selector
 * where those cannot load; no thread or coroutine per socket).
 * Refused → closed (`conn-refused`), established → open (`syn-ack`, then reset at once with
 * SO_LINGER 0 so no TIME_WAIT piles up), unreachable → filtered with the reason, no answer after
 * the retries → filtered (`no-response`). Sockets in flight stay under the process's open-file
 * limit.
 *
 * ```kotlin
 * val report = scan(scan { targets("127.0.0.1"); ports("1-1024"); connect() })
 * ```
 */
@OptIn(KmapExtensionPoint::class)
public object ConnectScanModule : ProbeModule {
    override val name: String = "connect"
    override val scanTypes: Set<ScanType> = setOf(ScanType.CONNECT)
    override val standsInFor: Set<ScanType> = setOf(ScanType.SYN)
    override val discoveryProbes: Set<KClass<out DiscoveryProbe>> = setOf(DiscoveryProbe.TcpConnect::class)
    override val silence: Verdict = Verdict(PortState.FILTERED, "no-response", hostResponded = false)

    /** The unprivileged ping, used only when no module can send raw probes. */
    override val defaultDiscovery: DefaultDiscovery = DefaultDiscovery(routed = listOf(DiscoveryProbe.TcpConnect(listOf(80, 443))), fallback = true)

    override val concurrentSessions: Int = Runtime.getRuntime().availableProcessors().coerceIn(1, 4)

    override fun discoveryPorts(probe: DiscoveryProbe): List<Int> = (probe as DiscoveryProbe.TcpConnect).ports

    override fun open(): ProbeSession = ConnectSessions.open(FileDescriptorBudget.available())
}
