package dev.kmap.gradle.internal

import dev.kmap.dsl.Expectation
import dev.kmap.dsl.Expectations
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.Baseline
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanUnavailableException
import dev.kmap.engine.output.ReportFormats
import dev.kmap.engine.output.ReportOptions
import dev.kmap.engine.scan
import dev.kmap.engine.verify
import dev.kmap.gradle.KmapPlugin
import dev.kmap.gradle.ScanRequest
import kotlinx.coroutines.runBlocking
import java.io.File
import java.io.IOException

/**
 * One scan as the tasks need it, on kmap's side of the class-loader boundary: run the plan,
 * then either write the baseline or write the reports and verify the expectations; record tool
 * errors and violations in the outcome file. Never throws for a failed scan.
 *
 * ```kotlin
 * val inProcess = ScanExecutor { request -> ScanJob.run(request) }
 * ```
 */
public object ScanJob {
    /** Runs [request] with the engine configured by [engine]. */
    public fun run(request: ScanRequest, engine: EngineConfig = EngineConfig(progressIntervalMillis = 0)) {
        val errors = ArrayList<String>()
        var violations = emptyList<String>()
        try {
            val plan = ScanPlan.fromJson(request.planJson)
            val expectations = Expectations.fromJson(request.expectationsJson)
            val baseline = request.baselineFile?.takeIf { it.isFile }?.let { f ->
                try { Baseline.fromJson(f.readText()) } catch (e: InvalidSpecException) { throw InvalidSpecException("baseline ${f.path}: ${e.message}") }
            }
            if (request.writeBaselineTo == null && baseline == null && expectations.rules.any { it is Expectation.NoChangeFromBaseline }) {
                val task = KmapPlugin.BASELINE_TASK_PREFIX + request.scanName.replaceFirstChar { it.uppercaseChar() }
                val where = request.baselineFile?.let { "the baseline file ${it.path} does not exist" } ?: "the scan has no baseline(file(...))"
                throw InvalidSpecException("no-change-from-baseline needs a baseline, but $where (run $task first)")
            }
            val report = runBlocking { scan(plan, engine) }
            report.hosts.filter { it.error != null }.forEach { errors += it.error!! }
            val target = request.writeBaselineTo
            if (target != null) {
                if (errors.isEmpty()) { target.parentFile?.mkdirs(); target.writeText(Baseline.of(report).toJson()) }
            } else {
                val found = if (expectations.isEmpty()) emptyList() else verify(report, expectations, baseline)
                val options = ReportOptions(version = request.version, commandLine = "gradle ${KmapPlugin.SCAN_TASK_PREFIX}${request.scanName.replaceFirstChar { it.uppercaseChar() }}")
                for (name in request.formats) {
                    val format = OutputFormat.valueOf(name)
                    val file = File(request.reportsDir, "${request.scanName}.${ReportFormats.extension(format)}")
                    file.bufferedWriter().use { out ->
                        val f = ReportFormats.create(format, options)
                        f.start(plan, report.stats.startedAtMillis, out)
                        report.hosts.forEach { f.host(it, out) }
                        if (!expectations.isEmpty()) f.expectations(expectations, found, out)
                        f.finish(report.stats, out)
                    }
                }
                violations = found.map { it.message }
            }
        } catch (e: InvalidSpecException) {
            errors += e.message ?: "invalid input"
        } catch (e: ScanUnavailableException) {
            errors += e.message ?: "the scan type is unavailable"
        } catch (e: IOException) {
            errors += "${e.javaClass.simpleName}: ${e.message}"
        } catch (e: RuntimeException) {
            errors += "${e.javaClass.simpleName}: ${(e.message ?: "").lineSequence().firstOrNull().orEmpty()}"
        }
        Outcome(errors, violations).write(request.outcomeFile)
    }
}
