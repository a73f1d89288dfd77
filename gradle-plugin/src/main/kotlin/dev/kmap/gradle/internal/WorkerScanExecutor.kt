package dev.kmap.gradle.internal

import dev.kmap.gradle.ScanExecutor
import dev.kmap.gradle.ScanRequest
import org.gradle.api.file.FileCollection
import org.gradle.workers.WorkerExecutor

/**
 * The default [ScanExecutor]: a Gradle worker whose class loader holds only [engineClasspath]
 * (kmap's engine, its Kotlin and coroutines), so the Kotlin version of the build and of other
 * plugins does not matter. It waits for the scan to finish.
 */
internal class WorkerScanExecutor(
    private val workers: WorkerExecutor,
    private val engineClasspath: FileCollection,
) : ScanExecutor {
    override fun execute(request: ScanRequest) {
        val queue = workers.classLoaderIsolation { it.classpath.from(engineClasspath) }
        queue.submit(KmapWorkAction::class.java) { p ->
            p.scanName.set(request.scanName)
            p.planJson.set(request.planJson)
            p.expectationsJson.set(request.expectationsJson)
            request.baselineFile?.let { p.baselineFile.set(it) }
            request.reportsDir?.let { p.reportsDir.set(it) }
            p.formats.set(request.formats)
            request.writeBaselineTo?.let { p.writeBaselineTo.set(it) }
            p.outcomeFile.set(request.outcomeFile)
            p.version.set(request.version)
            request.store?.let { p.store.set(it) }
        }
        queue.await()
    }
}
