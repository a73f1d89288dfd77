package dev.kmap.gradle

import dev.kmap.gradle.internal.Outcome
import dev.kmap.gradle.internal.PluginVersion
import org.gradle.api.file.ConfigurableFileCollection
import org.gradle.api.file.DirectoryProperty
import org.gradle.api.file.RegularFileProperty
import org.gradle.api.provider.ListProperty
import org.gradle.api.provider.Property
import org.gradle.api.tasks.Input
import org.gradle.api.tasks.InputFiles
import org.gradle.api.tasks.Internal
import org.gradle.api.tasks.Optional
import org.gradle.api.tasks.OutputDirectory
import org.gradle.api.tasks.PathSensitive
import org.gradle.api.tasks.PathSensitivity
import org.gradle.api.tasks.TaskAction
import org.gradle.api.tasks.VerificationException
import java.io.File

/**
 * `kmapScan<Name>`: runs one scan, writes its reports into [reportsDir]
 * (`build/reports/kmap/<name>/`), and checks its expectations. A broken expectation fails the
 * task with a [VerificationException] listing every violation (host, port, expected, found),
 * or only logs it with [ignoreFailures]; a scan that cannot run fails with a [KmapToolException]
 * whatever [ignoreFailures] says. Never up to date (see [AbstractKmapTask]).
 *
 * ```kotlin
 * tasks.named<KmapScanTask>("kmapScanStaging") { ignoreFailures.set(true) }
 * ```
 */
public abstract class KmapScanTask : AbstractKmapTask() {
    /** The expectations as JSON. */
    @get:Input
    public abstract val expectationsJson: Property<String>

    /** Where the baseline lives (it need not exist unless `noChangeFromBaseline()` is expected). */
    @get:Internal
    public abstract val baselineFile: RegularFileProperty

    /**
     * The baseline as an input: a file collection rather than an `@InputFile`, because a missing
     * baseline is not an error until a rule needs it (and then the action says what to run).
     */
    @get:InputFiles
    @get:PathSensitive(PathSensitivity.NONE)
    public abstract val baseline: ConfigurableFileCollection

    /** Report formats to write (`OutputFormat` names). */
    @get:Input
    public abstract val formats: ListProperty<String>

    /** Report directory. */
    @get:OutputDirectory
    public abstract val reportsDir: DirectoryProperty

    /** The store the scan is recorded in (see [KmapScanSpec.store]); unset: not recorded. */
    @get:Input
    @get:Optional
    public abstract val store: Property<String>

    /** Log violations instead of failing. */
    @get:Input
    public abstract val ignoreFailures: Property<Boolean>

    init {
        baseline.from(baselineFile.map { listOf(it.asFile) }.orElse(emptyList()))
    }

    /** Runs the scan and judges it. */
    @TaskAction
    public fun scan() {
        val name = scanName.get()
        val dir = reportsDir.get().asFile.also { it.mkdirs() }
        val outcomeFile = File(temporaryDir, "outcome.txt").also { it.delete() }
        runScan(
            ScanRequest(
                scanName = name, planJson = planJson.get(), expectationsJson = expectationsJson.get(),
                baselineFile = baselineFile.orNull?.asFile, reportsDir = dir, formats = formats.get(),
                writeBaselineTo = null, outcomeFile = outcomeFile, version = PluginVersion.version,
                store = store.orNull,
            ),
        )
        val outcome = Outcome.read(outcomeFile)
        if (outcome.errors.isNotEmpty()) throw KmapToolException("kmap scan '$name' could not run: ${outcome.errors.joinToString("; ")}")
        if (outcome.violations.isEmpty()) return
        val n = outcome.violations.size
        val message = "kmap scan '$name' broke $n expectation${if (n == 1) "" else "s"}:\n" +
            outcome.violations.joinToString("") { "  $it\n" } + "Reports: ${dir.path}"
        if (ignoreFailures.get()) logger.warn(message) else throw VerificationException(message)
    }
}
