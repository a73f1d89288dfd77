package dev.kmap.gradle

import dev.kmap.gradle.internal.NeverUpToDate
import dev.kmap.gradle.internal.WorkerScanExecutor
import org.gradle.api.DefaultTask
import org.gradle.api.file.ConfigurableFileCollection
import org.gradle.api.provider.Property
import org.gradle.api.tasks.Classpath
import org.gradle.api.tasks.Input
import org.gradle.api.tasks.Internal
import org.gradle.workers.WorkerExecutor
import javax.inject.Inject

/**
 * What [KmapScanTask] and [KmapBaselineTask] share: the scan's name and plan, the engine's
 * class path, and the [ScanExecutor] seam that runs the engine.
 *
 * These tasks are never up to date: a scan observes the network, which changes without any
 * input of the build changing, so a result from an earlier run proves nothing about now.
 *
 * ```kotlin
 * tasks.withType<AbstractKmapTask>().configureEach { println(scanName.get()) }
 * ```
 */
public abstract class AbstractKmapTask : DefaultTask() {
    /** The scan's name in `kmap { scans { } }`. */
    @get:Input
    public abstract val scanName: Property<String>

    /** The `ScanPlan` as JSON. */
    @get:Input
    public abstract val planJson: Property<String>

    /** The engine's class path for the isolated worker (the `kmapEngine` configuration). */
    @get:Classpath
    public abstract val engineClasspath: ConfigurableFileCollection

    /** Gradle's worker API. */
    @get:Inject
    public abstract val workerExecutor: WorkerExecutor

    /**
     * Runs the engine instead of the isolated worker when set (tests run it in-process). Not an
     * input and not kept in the configuration cache.
     */
    @get:Internal
    @Transient
    public var executor: ScanExecutor? = null

    init {
        // A scan observes the world: it must run every time (see the class comment).
        outputs.upToDateWhen(NeverUpToDate)
    }

    /** Runs [request] through [executor] or, by default, the isolated worker. */
    protected fun runScan(request: ScanRequest) {
        (executor ?: WorkerScanExecutor(workerExecutor, engineClasspath)).execute(request)
    }
}
