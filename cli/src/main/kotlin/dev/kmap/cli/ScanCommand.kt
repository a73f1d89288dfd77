package dev.kmap.cli

import com.github.ajalt.clikt.core.Context
import com.github.ajalt.clikt.core.CoreCliktCommand
import com.github.ajalt.clikt.parameters.arguments.argument
import com.github.ajalt.clikt.parameters.arguments.multiple
import com.github.ajalt.clikt.parameters.groups.provideDelegate
import dev.kmap.cli.options.DetectionOptions
import dev.kmap.cli.options.DiscoveryOptions
import dev.kmap.cli.options.ExpectOptions
import dev.kmap.cli.options.OutputOptions
import dev.kmap.cli.options.PortOptions
import dev.kmap.cli.options.ScanTechniqueOptions
import dev.kmap.cli.options.StoreOptions
import dev.kmap.cli.options.TargetOptions
import dev.kmap.cli.options.TimingOptions
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.Expectation
import dev.kmap.dsl.Expectations
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.Shard
import dev.kmap.dsl.TargetSpec
import dev.kmap.dsl.TimingTemplate
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.defaultTcpScanType
import dev.kmap.engine.service.ServiceDatabase
import dev.kmap.report.Baseline
import java.io.File

/**
 * `kmap [options] targets...`: nmap's flags where nmap has them, plus kmap's own. Parsing only
 * builds a [ScanOptions] (the [ScanPlan] and how to run it); [ScanRun] runs it.
 *
 * Where things go:
 * - **A flag** is declared once, in the option group of its section (a `…Options.kt` file in
 *   `options/`: scan techniques, discovery, ports, targets, timing, detection, output,
 *   expectations); `--help`, the known-options check and [NmapArgs]' value options derive from
 *   that one declaration, so a flag that takes a value needs nothing else. Read it in [run]
 *   into the plan (or into [ScanOptions] when it only changes how kmap runs the scan). A typed
 *   value (a time, a template, ports) uses its conversion (a `…Conversion.kt` file in
 *   `options/`); a new kind of value gets a file of its own there.
 * - **A new group** (e.g. the store's `--store`/`--resume`): a class `options/XOptions.kt`
 *   and one `val x by XOptions()` line below.
 * - **A scan type, a discovery probe or an output format** is a registry entry
 *   ([ScanType], [dev.kmap.dsl.DiscoveryProbeKind], [OutputFormat]); its option appears here
 *   by itself.
 * - **A subcommand** (`kmap history`, `kmap passive`): its own file with a Clikt command or a
 *   function, and one line in [Subcommands.all].
 * - **A sink** (where events go, e.g. the store): one line in [ScanRun.sinks].
 */
internal class ScanCommand(private val modules: List<ProbeModule> = EngineConfig.defaultModules) : CoreCliktCommand(name = "kmap") {
    override fun help(context: Context): String = """
        kmap: a network scanner for the JVM, flag-compatible with nmap.

        Targets are addresses, CIDR blocks (10.0.0.0/24), nmap octet ranges (10.0.0-3.1-254), address ranges (10.0.0.5-10.0.0.20) and host names. Without a scan type kmap does a SYN scan where raw packets work (root or CAP_NET_RAW) and a TCP connect scan (-sT) otherwise. The raw scans (${ScanType.entries.filter { it.needsRawPackets }.joinToString(", ") { it.flag }}) and the ICMP and ARP discovery probes need raw packets; -sV and -O are not supported yet.
    """.trimIndent()

    override fun helpEpilog(context: Context): String = listOf(
        "Subcommands:",
        lines(*Subcommands.all.map { "kmap ${it.usage}: ${it.help}" }.toTypedArray()),
        "Outputs: ${OutputFormat.entries.joinToString(", ") { it.flag }}, -oA and ${OutputFormat.entries.flatMap { it.aliases }.joinToString(", ")} " +
            "each take a file, or - for standard output (then the terminal report is left out, as in nmap; one format at a time). " +
            "Every output is checked and opened before the first packet (an existing file is not touched if another output cannot be written) " +
            "and written as hosts finish; formats that need a closing (XML, JSON, SARIF, JUnit, HTML) are closed at the end, also when the scan " +
            "fails or is interrupted with Ctrl-C.",
        "Expectations: --expect FILE checks the result against a policy, one rule per line: open 443; open 22 from 10.0.0.0/8; " +
            "closed 23,25; nothing-else-open; services ssh https; tls-valid-for 30 on 443; no-change-from-baseline (with " +
            "--baseline FILE, written by --save-baseline FILE). Each violation is printed on one line to stderr and becomes " +
            "a failure in --junit and an error result in --sarif.",
        "Exit status: 0 done (and every expectation holds), 1 the scan failed (a tool error), 2 bad usage or input, " +
            "3 an expectation was violated, 130 interrupted (partial results were written).",
        "Examples:",
        lines(
            "kmap -sT -p 1-1024 127.0.0.1",
            "kmap -sT -p- -T4 --open -oA scan 10.0.0.0/24",
            "kmap -sT --top-ports 100 -oX - 192.168.1.10",
        ),
    ).joinToString("\n\n")

    /** Lines of a list, indented (clikt-core prints help text as written). */
    private fun lines(vararg lines: String) = lines.joinToString("\n") { "  $it" }

    val targets by argument(name = "TARGETS", help = "What to scan").multiple()
    private val techniques by ScanTechniqueOptions()
    private val discovery by DiscoveryOptions()
    private val portOptions by PortOptions()
    private val targetOptions by TargetOptions()
    private val timingOptions by TimingOptions()
    private val detection by DetectionOptions()
    private val output by OutputOptions()
    private val expect by ExpectOptions()
    val storeOptions by StoreOptions()

    /** Set by [run]; [Cli] executes it. */
    var options: ScanOptions? = null
        private set

    /** The plan of [options]. */
    val plan: ScanPlan? get() = options?.plan

    /** `-d` as counted, for the stack trace of a failure. */
    val debug: Int get() = output.debug

    override fun run() {
        notYet("-O" to detection.osDetection)
        val t = targetOptions
        if (storeOptions.resume != null) {
            // everything comes from the stored scan: other scan options would be ignored, so they are refused
            if (targets.isNotEmpty() || t.inputList != null) throw UserError("--resume takes no targets (the stored scan has them)", RESUME_HINT)
            if (storeOptions.noStore) throw UserError("--resume needs the store (it continues a stored scan)", RESUME_HINT)
            return
        }
        if (targets.isEmpty() && t.inputList == null) {
            throw UserError("no targets given", "name what to scan, e.g. kmap -sT -p 1-1024 127.0.0.1 (or -iL FILE)")
        }
        if (t.noDns && t.alwaysDns) throw UserError("-n and -R contradict each other", "choose one: -n never resolves, -R always does")
        val types = techniques.selected.ifEmpty { if (techniques.pingOnly || techniques.listOnly) emptyList() else listOf(defaultTcpScanType(modules)) }
        targets.forEach { hinted(Hints.TARGETS) { TargetSpec.parse(it) } }
        t.excluded.forEach { hinted(Hints.TARGETS) { TargetSpec.parse(it) } }
        t.inputList?.let { readable("-iL", it) }
        val x = expect
        val expectations = x.expectFile?.let { f ->
            readable("--expect", f)
            hinted(Hints.EXPECT) { Expectations.parse(File(f).readText(), f) }
        }
        val baseline = x.baselineFile?.let { f ->
            readable("--baseline", f)
            hinted(Hints.BASELINE) {
                try { Baseline.fromJson(File(f).readText()) } catch (e: InvalidSpecException) { throw InvalidSpecException("$f: ${e.message}") }
            }
        }
        if (expectations?.rules.orEmpty().any { it is Expectation.NoChangeFromBaseline } && baseline == null) {
            throw UserError("the expectations in ${x.expectFile} include no-change-from-baseline, but no --baseline FILE was given", Hints.BASELINE)
        }
        if (x.baselineFile != null && expectations == null) throw UserError("--baseline needs --expect FILE (with no-change-from-baseline)", Hints.EXPECT)
        if (x.saveBaseline?.isEmpty() == true) throw UserError("--save-baseline needs a file name", Hints.OUTPUT)
        t.excludeFile?.let { readable("--excludefile", it) }
        val outputs = output.specs()
        val scriptSelectors = scriptSelectors()
        val d = detection
        val level = d.intensity()
        // read the probe databases now: a bad file is one line naming file:line, before any packet
        d.serviceDb.forEach { f -> hinted(Hints.HELP) { ServiceDatabase.read(f) } }
        d.scriptArgsFile?.let { readable("--script-args-file", it) }
        val parsedScriptArgs = ScriptSupport.scriptArgs(d.scriptArgs, d.scriptArgsFile)
        if (parsedScriptArgs != null && scriptSelectors.isEmpty()) throw UserError("${if (d.scriptArgs != null) "--script-args" else "--script-args-file"} needs --script or -sC", Hints.SCRIPTS)
        val secretArguments = if (scriptSelectors.isEmpty()) emptySet() else ScriptSupport.declaredSecrets(scriptSelectors)
        val p = portOptions
        val tm = timingOptions
        val cmd = this
        val plan = hinted(Hints.HELP) {
            scan {
                targets {
                    cmd.targets.forEach { add(it) }
                    t.inputList?.let { file(it) }
                    t.excluded.forEach { exclude(it) }
                    t.excludeFile?.let { excludeFile(it) }
                    if (t.randomizeHosts || t.seed != null) randomize(t.seed ?: System.nanoTime())
                    storeOptions.shard(t.shard)?.let { s -> val parsed = hinted("--shard takes I/N, e.g. 2/4") { Shard.parse(s) }; shard(parsed.index, parsed.count) }
                }
                types.forEach { scanType(it) }
                if (techniques.pingOnly) pingOnly()
                if (techniques.listOnly) listOnly()
                if (discovery.skip) skipDiscovery()
                if (discovery.sendIp) sendIp()
                val probes = discovery.probes
                if (probes.isNotEmpty()) discovery { probes.forEach { (kind, ports) -> probe(kind, *ports.toIntArray()) } }
                if (p.given) {
                    ports {
                        p.ports?.let { spec(it) }
                        if (p.fast) top(100)
                        p.topPorts?.let { top(it) }
                        if (p.ports == null && !p.fast && p.topPorts == null) top(1000)
                        p.excludePorts?.let { exclude(it) }
                    }
                }
                timing(tm.template ?: TimingTemplate.T3) {
                    maxRetries = tm.maxRetries
                    minRate = tm.minRate
                    maxRate = tm.maxRate
                    hostTimeout = tm.hostTimeout
                    scanDelay = tm.scanDelay
                    maxScanDelay = tm.maxScanDelay
                    minRttTimeout = tm.minRtt
                    maxRttTimeout = tm.maxRtt
                    initialRttTimeout = tm.initialRtt
                    minParallelism = tm.minParallelism
                    maxParallelism = tm.maxParallelism
                }
                if (t.noDns) dns(DnsResolution.NEVER)
                if (t.alwaysDns) dns(DnsResolution.ALWAYS)
                if (t.ipv6) ipv6()
                output { outputs.forEach { format(it.format, it.path) } }
                scriptSelectors.forEach { sel -> script(sel) { parsedScriptArgs?.forEach { (k, v) -> arg(k, v) } } }
                if (d.serviceDetection) services {
                    intensity = level
                    trace = d.versionTrace
                    d.serviceDb.forEach { database(it) }
                }
            }
        }
        val o = output
        options = ScanOptions(
            plan = plan, expectations = expectations, expectFile = x.expectFile, baseline = baseline, baselineFile = x.baselineFile,
            saveBaseline = x.saveBaseline, verbosity = o.verbose, debugging = o.debug, showReason = o.reason, openOnly = o.openOnly,
            noProgress = o.noProgress, scriptTimeout = d.scriptTimeout, secretArguments = secretArguments, notes = listOfNotNull(d.aggressiveNote),
        )
    }

    /** The `--script` selectors (and `default` for -sC), each checked against the script library. */
    private fun scriptSelectors(): List<String> {
        val d = detection
        val list = (d.scripts?.split(',').orEmpty() + if (d.defaultScriptsWanted) listOf("default") else emptyList()).map { it.trim() }.filter { it.isNotEmpty() }.distinct()
        if (d.scripts != null && list.isEmpty()) throw UserError("--script needs a script name, glob or category", Hints.SCRIPTS)
        if (list.isNotEmpty()) ScriptSupport.checkSelectors(list)?.let { throw UserError(it, Hints.SCRIPTS) }
        return list
    }

    private fun readable(option: String, path: String) {
        if (path == "-") return
        val f = File(path)
        val why = when {
            !f.exists() -> "no such file"
            f.isDirectory -> "it is a directory"
            !f.canRead() -> "permission denied"
            else -> return
        }
        throw UserError("cannot read $option file \"$path\": $why", Hints.FILE)
    }

    private fun notYet(vararg flags: Pair<String, Boolean>) {
        flags.firstOrNull { it.second }?.let { throw UserError("option ${it.first} is not supported yet", Hints.NOT_YET) }
    }

    private inline fun <T> hinted(hint: String, block: () -> T): T = try {
        block()
    } catch (e: InvalidSpecException) {
        throw UserError(e.message ?: "invalid input", hint)
    }

    private companion object {
        const val RESUME_HINT = "kmap --resume ID continues scan ID of kmap history with its own options (--store URL for another store)"
    }
}
