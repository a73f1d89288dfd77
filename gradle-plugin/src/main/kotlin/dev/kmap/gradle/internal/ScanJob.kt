package dev.kmap.gradle.internal

import dev.kmap.dsl.Expectation
import dev.kmap.dsl.Expectations
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.OutputSpec
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.gradle.KmapPlugin
import dev.kmap.gradle.ScanRequest
import dev.kmap.report.Baseline
import dev.kmap.report.Problem
import dev.kmap.report.format.ReportOptions
import java.io.File
import dev.kmap.report.ScanJob as Job

/**
 * One scan as the tasks need it, on kmap's side of the class-loader boundary: a thin adapter
 * from a [ScanRequest] to kmap's front-end-free [dev.kmap.report.ScanJob] (the same job the
 * CLI runs), which either writes the baseline or writes the reports and verifies the
 * expectations. Tool errors (worded by [Problem], as the CLI words them) and violations go to
 * the outcome file. Never throws for a failed scan.
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
            val outcome = job(request).runBlocking(engine)
            errors += outcome.hostErrors
            violations = outcome.violations.map { it.message }
        } catch (e: Exception) {
            errors += Problem.of(e).message
        }
        Outcome(errors, violations).write(request.outcomeFile)
    }

    private fun job(request: ScanRequest): Job {
        val plan = ScanPlan.fromJson(request.planJson)
        val expectations = Expectations.fromJson(request.expectationsJson)
        val baseline = request.baselineFile?.takeIf { it.isFile }?.let { f ->
            try { Baseline.fromJson(f.readText()) } catch (e: InvalidSpecException) { throw InvalidSpecException("baseline ${f.path}: ${e.message}") }
        }
        val task = request.scanName.replaceFirstChar { it.uppercaseChar() }
        val target = request.writeBaselineTo
        if (target != null) {
            target.parentFile?.mkdirs()
            // a baseline run checks nothing and writes no reports; a target that cannot be scanned keeps the old baseline
            return Job(plan, saveBaselineTo = target.path, outputs = emptyList(), options = options(request, KmapPlugin.BASELINE_TASK_PREFIX + task), strict = true)
        }
        if (baseline == null && expectations.rules.any { it is Expectation.NoChangeFromBaseline }) {
            val where = request.baselineFile?.let { "the baseline file ${it.path} does not exist" } ?: "the scan has no baseline(file(...))"
            throw InvalidSpecException("no-change-from-baseline needs a baseline, but $where (run ${KmapPlugin.BASELINE_TASK_PREFIX}$task first)")
        }
        val outputs = request.formats.map { name ->
            val format = OutputFormat.valueOf(name)
            OutputSpec(format, File(request.reportsDir, "${request.scanName}.${format.extension}").path)
        }
        val inputs = listOfNotNull(request.baselineFile?.let { "baseline" to it.path })
        return Job(plan, expectations, baseline, outputs = outputs, options = options(request, KmapPlugin.SCAN_TASK_PREFIX + task), inputs = inputs)
    }

    private fun options(request: ScanRequest, task: String) = ReportOptions(version = request.version, commandLine = "gradle $task")
}
