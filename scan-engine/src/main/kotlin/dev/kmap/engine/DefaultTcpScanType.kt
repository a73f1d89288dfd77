package dev.kmap.engine

import dev.kmap.dsl.ScanType

/**
 * nmap's default TCP scan with these [modules]: SYN where a module can send raw packets here,
 * connect otherwise. The engine uses it for plans that name no scan type.
 *
 * ```kotlin
 * println(defaultTcpScanType()) // SYN as root, CONNECT otherwise
 * ```
 */
public fun defaultTcpScanType(modules: List<ProbeModule> = EngineConfig.defaultModules): ScanType =
    if (modules.any { ScanType.SYN in it.scanTypes && it.unavailableReason() == null }) ScanType.SYN else ScanType.CONNECT
