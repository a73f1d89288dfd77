package dev.kmap.engine

import dev.kmap.dsl.ScanPlan
import kotlinx.serialization.Serializable

/**
 * The result of a whole scan: the [plan], every host in the order they finished, and [stats].
 * A scan stopped early has `stats.interrupted` set and keeps everything found until then.
 *
 * ```kotlin
 * val report = scan(plan)
 * report.hosts.filter { it.status == HostStatus.UP }.forEach { println(it.host) }
 * ```
 */
@Serializable
public data class ScanReport(val plan: ScanPlan, val hosts: List<HostResult>, val stats: ScanStats)
