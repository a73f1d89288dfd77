package dev.kmap.gradle

import dev.kmap.dsl.Expectations
import dev.kmap.gradle.internal.Outcome
import dev.kmap.gradle.internal.PluginVersion
import org.gradle.api.file.RegularFileProperty
import org.gradle.api.tasks.Optional
import org.gradle.api.tasks.OutputFile
import org.gradle.api.tasks.TaskAction
import java.io.File

/**
 * `kmapBaseline<Name>`: runs one scan and writes its open ports as the scan's new baseline
 * (the file of `baseline(file(...))`, meant to be committed and reviewed). Expectations are not
 * checked. Never up to date (see [AbstractKmapTask]).
 *
 * ```kotlin
 * // ./gradlew kmapBaselineStaging && git diff kmap/staging-baseline.json
 * ```
 */
public abstract class KmapBaselineTask : AbstractKmapTask() {
    /** The baseline file to write; optional here so that a scan without one gets a clear message. */
    @get:OutputFile
    @get:Optional
    public abstract val baselineFile: RegularFileProperty

    /** Runs the scan and writes the baseline. */
    @TaskAction
    public fun writeBaseline() {
        val name = scanName.get()
        val target = baselineFile.orNull?.asFile
            ?: throw KmapToolException("kmap scan '$name' has no baseline file: add baseline(file(\"kmap/$name-baseline.json\")) to it")
        val outcomeFile = File(temporaryDir, "outcome.txt").also { it.delete() }
        runScan(
            ScanRequest(
                scanName = name, planJson = planJson.get(), expectationsJson = Expectations.NONE.toJson(),
                baselineFile = null, reportsDir = null, formats = emptyList(),
                writeBaselineTo = target, outcomeFile = outcomeFile, version = PluginVersion.version,
            ),
        )
        val outcome = Outcome.read(outcomeFile)
        if (outcome.errors.isNotEmpty()) throw KmapToolException("kmap scan '$name' could not run: ${outcome.errors.joinToString("; ")}")
        logger.lifecycle("kmap: wrote the baseline of '$name' to ${target.path}")
    }
}
