package dev.kmap.gradle.internal

import dev.kmap.gradle.ScanRequest
import org.gradle.api.file.DirectoryProperty
import org.gradle.api.file.RegularFileProperty
import org.gradle.api.provider.ListProperty
import org.gradle.api.provider.Property
import org.gradle.workers.WorkParameters

/**
 * The work item run in the isolated worker: a [ScanRequest] as Gradle-managed parameters.
 *
 * ```kotlin
 * queue.submit(KmapWorkAction::class.java) { it.scanName.set("staging") }
 * ```
 */
public interface KmapWorkParameters : WorkParameters {
    /** See [ScanRequest.scanName]. */
    public val scanName: Property<String>
    /** See [ScanRequest.planJson]. */
    public val planJson: Property<String>
    /** See [ScanRequest.expectationsJson]. */
    public val expectationsJson: Property<String>
    /** See [ScanRequest.baselineFile]. */
    public val baselineFile: RegularFileProperty
    /** See [ScanRequest.reportsDir]. */
    public val reportsDir: DirectoryProperty
    /** See [ScanRequest.formats]. */
    public val formats: ListProperty<String>
    /** See [ScanRequest.writeBaselineTo]. */
    public val writeBaselineTo: RegularFileProperty
    /** See [ScanRequest.outcomeFile]. */
    public val outcomeFile: RegularFileProperty
    /** See [ScanRequest.version]. */
    public val version: Property<String>
    /** See [ScanRequest.store]. */
    public val store: Property<String>
}
