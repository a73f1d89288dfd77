package dev.kmap.dsl

/**
 * Builds a [PassivePlan]: which capture files or interface to read and how. The block only
 * describes the run; `dev.kmap.passive.passive(plan)` runs it. Bad values raise
 * [InvalidSpecException] with a one-line message.
 *
 * ```kotlin
 * val plan = passive { read("capture.pcap"); output { json("hosts.json") } }
 * ```
 */
public fun passive(block: PassiveBuilder.() -> Unit): PassivePlan = PassiveBuilder().apply(block).build()
