package dev.kmap.engine

import dev.kmap.dsl.InternalKmapApi
import dev.kmap.dsl.internal.JsonDocuments
import kotlinx.serialization.Serializable

/**
 * A resume point of a scan (the content of [ScanEvent.Checkpoint]): every host at a target-order
 * position below [position] (see [dev.kmap.dsl.TargetCursor.position]) is finished and reported;
 * [hosts] says where each host at or past [position] that has reported anything stands. A sink
 * stores the latest checkpoint with the events before it; [ResumeState] turns it back into a
 * scan that does only what is left.
 *
 * ```kotlin
 * scanFlow(plan).collect { e -> if (e is ScanEvent.Checkpoint) store.save(e.checkpoint.toJson()) }
 * ```
 */
@Serializable
public data class ScanCheckpoint(val position: Long, val hosts: List<HostCheckpoint> = emptyList()) {
    /** This checkpoint as JSON (see [fromJson]). */
    public fun toJson(): String = json.encodeToString(serializer(), this)

    public companion object {
        private val json = kotlinx.serialization.json.Json { encodeDefaults = true }

        /** Reads a checkpoint written by [toJson]; anything else is a [dev.kmap.dsl.InvalidSpecException] with one line. */
        @OptIn(InternalKmapApi::class)
        public fun fromJson(text: String): ScanCheckpoint = JsonDocuments.decode(json, serializer(), text, "checkpoint")
    }
}
