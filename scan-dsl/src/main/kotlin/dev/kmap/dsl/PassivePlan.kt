package dev.kmap.dsl

import dev.kmap.dsl.internal.JsonDocuments
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json

/**
 * A passive run as an immutable value, built by [passive]: the [sources] to read (files in
 * order, or one live interface), [limits], how long to capture from a live interface
 * ([durationMillis], null: until stopped), a p0f signature file to use instead of the built-in
 * OS signatures ([osDatabase]), and the reports to write ([outputs]). Round-trips through JSON.
 *
 * ```kotlin
 * val plan = passive { read("capture.pcap"); output { json("passive.json") } }
 * check(PassivePlan.fromJson(plan.toJson()) == plan)
 * ```
 */
@Serializable
public data class PassivePlan(
    val sources: List<PassiveSource>,
    val limits: PassiveLimits = PassiveLimits(),
    val durationMillis: Long? = null,
    val osDatabase: String? = null,
    val outputs: List<OutputSpec> = emptyList(),
) {
    init {
        if (sources.isEmpty()) invalid("a passive run needs a capture file (read(FILE), -r) or an interface (listen(NAME), -i)")
        if (sources.count { it is PassiveSource.Interface } > 1) invalid("a passive run listens on one interface at a time")
        if (sources.any { it is PassiveSource.Interface } && sources.size > 1) invalid("a passive run reads either files or an interface, not both")
        durationMillis?.let { if (it < 1) invalid("the passive duration must be positive: $it ms") }
    }

    /** This plan as JSON. */
    public fun toJson(): String = json.encodeToString(serializer(), this)

    public companion object {
        private val json = Json { encodeDefaults = true; prettyPrint = true }

        /** Reads a plan written by [toJson]; raises [InvalidSpecException] for anything else. */
        @OptIn(InternalKmapApi::class)
        public fun fromJson(text: String): PassivePlan =
            JsonDocuments.decode(json, serializer(), text, "passive plan")
    }
}
