package dev.kmap.gradle

/**
 * The one seam between the kmap tasks and the engine: runs a [ScanRequest] to the end, writing
 * its reports, baseline and outcome file. The default runs the engine in a Gradle worker with an
 * isolated class path (so the build's own Kotlin version does not matter); tests set an
 * executor that calls the engine in-process. Called on the task's thread; it blocks.
 *
 * ```kotlin
 * tasks.named<KmapScanTask>("kmapScanLocal") { executor = ScanExecutor { request -> ScanJob.run(request) } }
 * ```
 */
public fun interface ScanExecutor {
    /** Runs [request]; failures of the scan itself are written to the outcome file, not thrown. */
    public fun execute(request: ScanRequest)
}
