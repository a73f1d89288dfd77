package dev.kmap.gradle

import dev.kmap.gradle.internal.PluginVersion
import org.gradle.api.Plugin
import org.gradle.api.Project
import org.gradle.api.artifacts.Configuration

/**
 * The `dev.kmap` plugin: adds the [KmapExtension] `kmap { }`, the `kmapEngine` configuration
 * (the engine's class path for the worker, `dev.kmap:scan-report` at the plugin's own version
 * unless you add dependencies to it), and for every scan `staging` the tasks
 * `kmapScanStaging` ([KmapScanTask]) and `kmapBaselineStaging` ([KmapBaselineTask]), plus the
 * aggregate `kmapScan`. `check` does not depend on them: a scan sends packets, so it runs only
 * when asked for.
 *
 * ```kotlin
 * plugins { id("dev.kmap") version "0.1.0" }
 * kmap { scans.register("local") { targets("127.0.0.1"); ports("22,80"); expect { nothingElseOpen() } } }
 * ```
 */
public class KmapPlugin : Plugin<Project> {
    override fun apply(project: Project) {
        val engine = project.configurations.create(ENGINE_CONFIGURATION) { c -> configureEngine(project, c) }
        val extension = project.extensions.create(EXTENSION_NAME, KmapExtension::class.java)
        val aggregate = project.tasks.register(AGGREGATE_TASK) { t ->
            t.group = TASK_GROUP
            t.description = "Runs every kmap scan and checks its expectations."
        }
        extension.scans.all { spec ->
            val suffix = spec.name.replaceFirstChar { it.uppercaseChar() }
            val baselineTask = project.tasks.register("$BASELINE_TASK_PREFIX$suffix", KmapBaselineTask::class.java) { t ->
                t.group = TASK_GROUP
                t.description = "Scans '${spec.name}' and writes the result as its new baseline."
                t.scanName.set(spec.name)
                t.planJson.set(spec.planJson)
                t.baselineFile.set(spec.baselineFile)
                t.engineClasspath.from(engine)
            }
            val scanTask = project.tasks.register("$SCAN_TASK_PREFIX$suffix", KmapScanTask::class.java) { t ->
                t.group = TASK_GROUP
                t.description = "Scans '${spec.name}', writes its reports and checks its expectations."
                t.scanName.set(spec.name)
                t.planJson.set(spec.planJson)
                t.expectationsJson.set(spec.expectationsJson)
                t.baselineFile.set(spec.baselineFile)
                t.formats.set(spec.reports.formats)
                t.ignoreFailures.convention(spec.ignoreFailures)
                t.reportsDir.convention(project.layout.buildDirectory.dir("reports/kmap/${spec.name}"))
                t.engineClasspath.from(engine)
                t.mustRunAfter(baselineTask) // the baseline task writes what this one reads
            }
            aggregate.configure { it.dependsOn(scanTask) }
        }
    }

    private fun configureEngine(project: Project, c: Configuration) {
        c.isCanBeConsumed = false
        c.isCanBeResolved = true
        c.description = "The kmap engine and report writers run by the kmap tasks in an isolated worker (dev.kmap:scan-report)."
        c.defaultDependencies { deps ->
            deps.add(project.dependencies.create("dev.kmap:scan-report:${PluginVersion.version}"))
            deps.add(project.dependencies.create("org.slf4j:slf4j-nop:1.7.26"))
        }
    }

    public companion object {
        /** The plugin id. */
        public const val ID: String = "dev.kmap"
        /** The extension's name: `kmap { }`. */
        public const val EXTENSION_NAME: String = "kmap"
        /** The configuration holding the engine's class path. */
        public const val ENGINE_CONFIGURATION: String = "kmapEngine"
        /** The task running every scan. */
        public const val AGGREGATE_TASK: String = "kmapScan"
        /** `kmapScan<Name>` runs scan `name`. */
        public const val SCAN_TASK_PREFIX: String = "kmapScan"
        /** `kmapBaseline<Name>` writes scan `name`'s baseline. */
        public const val BASELINE_TASK_PREFIX: String = "kmapBaseline"
        /** The group of every kmap task. */
        public const val TASK_GROUP: String = "verification"
    }
}
