package dev.kmap.gradle.internal

import dev.kmap.gradle.ScanRequest
import org.gradle.workers.WorkAction

/**
 * Runs [ScanJob] inside the worker's class loader (where kmap's engine is).
 *
 * ```kotlin
 * workers.classLoaderIsolation { it.classpath.from(engine) }.submit(KmapWorkAction::class.java) { /* parameters */ }
 * ```
 */
public abstract class KmapWorkAction : WorkAction<KmapWorkParameters> {
    override fun execute() {
        val p = parameters
        ScanJob.run(
            ScanRequest(
                scanName = p.scanName.get(), planJson = p.planJson.get(), expectationsJson = p.expectationsJson.get(),
                baselineFile = p.baselineFile.orNull?.asFile, reportsDir = p.reportsDir.orNull?.asFile, formats = p.formats.get(),
                writeBaselineTo = p.writeBaselineTo.orNull?.asFile, outcomeFile = p.outcomeFile.get().asFile, version = p.version.get(),
                store = p.store.orNull,
            ),
        )
    }
}
