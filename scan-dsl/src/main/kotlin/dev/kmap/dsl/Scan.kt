package dev.kmap.dsl

/**
 * Builds a [ScanPlan]. The block only describes the scan; nothing is sent until the plan is run.
 * Bad values raise [InvalidSpecException] with a one-line message.
 *
 * ```kotlin
 * val plan = scan {
 *     targets { cidr("10.0.0.0/24"); host("db.internal"); exclude("10.0.0.1") }
 *     ports { range(1..1024); top(100); udp(53, 161) }
 *     syn()
 *     discovery { icmpEcho(); tcpSyn(443) }
 *     timing(T4) { maxRetries = 2; minRate = 10_000 }
 *     serviceDetection(intensity = 7)
 *     script("http-title") { arg("path", "/") }
 *     output { xml("scan.xml"); json("scan.json") }
 * }
 * ```
 */
public fun scan(block: ScanBuilder.() -> Unit): ScanPlan = ScanBuilder().apply(block).build()
