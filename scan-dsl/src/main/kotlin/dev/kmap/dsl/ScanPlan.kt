package dev.kmap.dsl

import dev.kmap.dsl.internal.JsonDocuments
import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json

/**
 * Everything a scan will do, as an immutable value: built by [scan], inspected, serialized,
 * and run by the engine. Equal plans are `==`; [toJson] and [fromJson] round-trip unchanged.
 *
 * An empty [scanTypes] with [pingOnly] false means the default TCP scan (SYN with raw-socket
 * privileges, connect otherwise), as in nmap. [listOnly] is nmap's list scan `-sL`: the targets
 * are listed (with reverse DNS unless [dns] is NEVER) and nothing is sent to them.
 *
 * ```kotlin
 * val plan = scan { targets("10.0.0.0/24"); ports("22,80"); syn() }
 * check(ScanPlan.fromJson(plan.toJson()) == plan)
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public data class ScanPlan(
    val targets: Targets,
    val ports: PortSet,
    val scanTypes: List<ScanType> = emptyList(),
    val pingOnly: Boolean = false,
    val discovery: Discovery = Discovery(),
    val timing: Timing = Timing(),
    val serviceDetection: ServiceDetection? = null,
    val osDetection: Boolean = false,
    val scripts: List<ScriptSelection> = emptyList(),
    val outputs: List<OutputSpec> = emptyList(),
    val dns: DnsResolution = DnsResolution.DEFAULT,
    val preferIpv6: Boolean = false,
    // left out of JSON when false, so plans (and reports) written before it stay byte-identical
    @EncodeDefault(EncodeDefault.Mode.NEVER) val listOnly: Boolean = false,
) {
    /** This plan as JSON. */
    public fun toJson(): String = json.encodeToString(serializer(), this)

    public companion object {
        private val json = Json { encodeDefaults = true; prettyPrint = true }

        /** Reads a plan written by [toJson]; raises [InvalidSpecException] for anything else. */
        @OptIn(InternalKmapApi::class)
        public fun fromJson(text: String): ScanPlan =
            JsonDocuments.decode(json, serializer(), text, "scan plan")
    }
}
