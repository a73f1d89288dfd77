package dev.kmap.cli

import com.github.ajalt.clikt.core.CoreCliktCommand
import com.github.ajalt.clikt.core.Context
import com.github.ajalt.clikt.parameters.arguments.argument
import com.github.ajalt.clikt.parameters.arguments.multiple
import com.github.ajalt.clikt.parameters.options.counted
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.multiple
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.types.double
import com.github.ajalt.clikt.parameters.types.int
import com.github.ajalt.clikt.parameters.types.long
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.OutputSpec
import dev.kmap.dsl.PortSet
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.Shard
import dev.kmap.dsl.TargetSpec
import dev.kmap.dsl.TimingTemplate
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.defaultTcpScanType
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.output.ReportFormats
import dev.kmap.dsl.Expectation
import dev.kmap.dsl.Expectations
import dev.kmap.engine.Baseline
import java.io.File
import kotlin.time.Duration.Companion.milliseconds

/**
 * `kmap [options] targets...`: nmap's flags where nmap has them, plus kmap's own. Parsing only
 * builds a [ScanPlan] and the report settings; [ScanRun] runs it.
 */
internal class ScanCommand(private val modules: List<ProbeModule> = EngineConfig.defaultModules) : CoreCliktCommand(name = "kmap") {
    override fun help(context: Context): String = """
        kmap: a network scanner for the JVM, flag-compatible with nmap.

        Targets are addresses, CIDR blocks (10.0.0.0/24), nmap octet ranges (10.0.0-3.1-254), address ranges (10.0.0.5-10.0.0.20) and host names. Without a scan type kmap does a SYN scan where raw packets work and a TCP connect scan (-sT) otherwise; today only -sT is implemented, the other scan types report that they are unavailable.
    """.trimIndent()

    override fun helpEpilog(context: Context): String = listOf(
        "Subcommands:",
        lines(
            "kmap version: version of kmap, Kotlin and the JVM",
            "kmap self-test: check privileges, libpcap, raw sockets, interfaces, DNS, loopback",
            "kmap run FILE.scan.kts|FILE.main.kts [args]: run a Kotlin scan script",
            "kmap passive -r FILE | -i IFACE [options]: hosts and services seen in a capture, without sending (kmap passive --help)",
        ),
        "Outputs: -oN, -oX, -oG, -oJ, -oA and --json, --ndjson, --csv, --sarif, --junit, --html each take a file, or - for " +
            "standard output (then the terminal report is left out, as in nmap). Every format is written as hosts finish; " +
            "formats that need a closing (XML, JSON, SARIF, JUnit, HTML) are closed at the end, also when the scan is " +
            "interrupted with Ctrl-C.",
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

    // scan techniques
    val connectScan by option("-sT", help = "TCP connect scan (no privileges needed)").flag()
    val synScan by option("-sS", help = "TCP SYN scan (raw packets)").flag()
    val udpScan by option("-sU", help = "UDP scan (raw packets)").flag()
    val finScan by option("-sF", help = "TCP FIN scan (raw packets)").flag()
    val nullScan by option("-sN", help = "TCP NULL scan (raw packets)").flag()
    val xmasScan by option("-sX", help = "TCP Xmas scan (raw packets)").flag()
    val ackScan by option("-sA", help = "TCP ACK scan (raw packets)").flag()
    val windowScan by option("-sW", help = "TCP Window scan (raw packets)").flag()
    val maimonScan by option("-sM", help = "TCP Maimon scan (raw packets)").flag()
    val pingScan by option("-sn", help = "Ping scan: host discovery only, no port scan").flag()

    // host discovery
    val skipDiscovery by option("-Pn", help = "Treat all hosts as up: skip host discovery").flag()
    val pingEcho by option("-PE", help = "ICMP echo discovery").flag()
    val pingTimestamp by option("-PP", help = "ICMP timestamp discovery").flag()
    val pingArp by option("-PR", help = "ARP/NDP discovery on the local link").flag()
    val pingSyn by option("--ping-syn", "-PS", metavar = "PORTS", help = "TCP SYN discovery to PORTS (-PS22,443; -PS alone: 80)")
    val pingAck by option("--ping-ack", "-PA", metavar = "PORTS", help = "TCP ACK discovery to PORTS (-PA alone: 80)")
    val pingUdp by option("--ping-udp", "-PU", metavar = "PORTS", help = "UDP discovery to PORTS (-PU alone: 40125)")

    // ports
    val ports by option("-p", metavar = "PORTS", help = "Ports: 22; 1-1024; - (all); U:53,T:80-90; http; [1-1024]")
    val fast by option("-F", help = "Fast mode: the 100 most frequent ports").flag()
    val topPorts by option("--top-ports", metavar = "N", help = "The N most frequent ports").int()
    val excludePorts by option("--exclude-ports", metavar = "PORTS", help = "Ports to leave out")

    // targets
    val inputList by option("-iL", metavar = "FILE", help = "Read targets from FILE (- for stdin)")
    val exclude by option("--exclude", metavar = "HOSTS", help = "Comma-separated targets to leave out").multiple()
    val excludeFile by option("--excludefile", metavar = "FILE", help = "Leave out the targets in FILE")
    val randomizeHosts by option("--randomize-hosts", help = "Scan hosts in a random order").flag()
    val seed by option("--seed", metavar = "N", help = "Seed of the random host order (implies --randomize-hosts)").long()
    val shard by option("--shard", metavar = "I/N", help = "Scan only shard I of N (1-based), e.g. 2/4")
    val noDns by option("-n", help = "Never do reverse DNS").flag()
    val alwaysDns by option("-R", help = "Always do reverse DNS").flag()
    val ipv6 by option("-6", help = "Resolve host names to IPv6").flag()

    // timing
    val timing by option("--timing", "-T", metavar = "0-5", help = "Timing template: -T0 paranoid .. -T5 insane (default -T3)")
    val minRate by option("--min-rate", metavar = "N", help = "Send at least N probes per second").double()
    val maxRate by option("--max-rate", metavar = "N", help = "Send at most N probes per second").double()
    val maxRetries by option("--max-retries", metavar = "N", help = "Retransmissions per probe at most").int()
    val hostTimeout by option("--host-timeout", metavar = "TIME", help = "Give up on a host after TIME (30s, 5m)")
    val scanDelay by option("--scan-delay", metavar = "TIME", help = "Wait TIME between probes")
    val maxScanDelay by option("--max-scan-delay", metavar = "TIME", help = "Longest adaptive delay between probes")
    val minRtt by option("--min-rtt-timeout", metavar = "TIME", help = "Shortest probe timeout")
    val maxRtt by option("--max-rtt-timeout", metavar = "TIME", help = "Longest probe timeout")
    val initialRtt by option("--initial-rtt-timeout", metavar = "TIME", help = "Probe timeout before RTTs are known")
    val minParallelism by option("--min-parallelism", metavar = "N", help = "Probes in flight at least").int()
    val maxParallelism by option("--max-parallelism", metavar = "N", help = "Probes in flight at most").int()

    // detection and scripts
    val versionDetection by option("-sV", help = "Service and version detection (not supported yet)").flag()
    val versionIntensity by option("--version-intensity", metavar = "0-9", help = "Version probe intensity (not supported yet)").int()
    val osDetection by option("-O", help = "Operating system detection (not supported yet)").flag()
    val scripts by option("--script", metavar = "NAMES", help = "Scripts by name, glob, category or .scan.kts file, comma-separated (e.g. default,http-*)")
    val defaultScripts by option("-sC", help = "Same as --script=default").flag()
    val scriptArgs by option("--script-args", metavar = "K=V,...", help = "Script arguments: name=value or script.name=value, comma-separated")
    val scriptTimeout by option("--script-timeout", metavar = "TIME", help = "Time budget of each script run on a port or host (default 10s)")

    // output
    val outNormal by option("-oN", metavar = "FILE", help = "Normal output to FILE (- for stdout)")
    val outXml by option("-oX", metavar = "FILE", help = "nmap XML output (valid against nmap.dtd)")
    val outGrep by option("-oG", metavar = "FILE", help = "Grepable output")
    val outJson by option("-oJ", "--json", metavar = "FILE", help = "JSON output (schema: kmap-report.schema.json)")
    val outAll by option("-oA", metavar = "BASE", help = "Normal, XML and grepable output to BASE.nmap, BASE.xml, BASE.gnmap")
    val outNdjson by option("--ndjson", metavar = "FILE", help = "NDJSON output: a host per line as hosts finish")
    val outCsv by option("--csv", metavar = "FILE", help = "CSV output: a row per port")
    val outSarif by option("--sarif", metavar = "FILE", help = "SARIF 2.1.0 output (open ports and violated expectations as results)")
    val outJunit by option("--junit", metavar = "FILE", help = "JUnit XML output (a test case per open port and per expectation)")
    val outHtml by option("--html", metavar = "FILE", help = "Self-contained HTML report with a summary chart")
    val openOnly by option("--open", help = "Show only open (or possibly open) ports").flag()
    val reason by option("--reason", help = "Show why each port has its state").flag()
    val verbose by option("-v", help = "More output; -vv or -v2 for even more (ports are printed as they are found)").counted()
    val debug by option("-d", help = "Debugging output level (-d, -dd, -d3)").counted()
    val noProgress by option("--no-progress", help = "No progress bar on a terminal").flag()
    val expectFile by option("--expect", metavar = "FILE", help = "Check the result against the expectations in FILE (exit 3 if violated)")
    val baselineFile by option("--baseline", metavar = "FILE", help = "Baseline for no-change-from-baseline (JSON from --save-baseline)")
    val saveBaseline by option("--save-baseline", metavar = "FILE", help = "Write the open ports found as a baseline to FILE")
    val resume by option("--resume", metavar = "FILE", help = "Resume an aborted scan (not supported yet)")

    /** `--script-timeout` in milliseconds, when given. */
    var scriptTimeoutMillis: Long? = null
        private set

    /** The `--script` selectors (and `default` for -sC), each checked against the script library. */
    private fun scriptSelectors(): List<String> {
        val list = (scripts?.split(',').orEmpty() + if (defaultScripts) listOf("default") else emptyList()).map { it.trim() }.filter { it.isNotEmpty() }.distinct()
        if (scripts != null && list.isEmpty()) throw UserError("--script needs a script name, glob or category", Hints.SCRIPTS)
        if (list.isNotEmpty()) ScriptSupport.checkSelectors(list)?.let { throw UserError(it, Hints.SCRIPTS) }
        return list
    }

    /** Set by [run]; [Cli] executes it. */
    var plan: ScanPlan? = null
        private set

    /** The policy of `--expect`, read by [run]; null without it. */
    var expectations: Expectations? = null
        private set

    /** The baseline of `--baseline`, read by [run]. */
    var baseline: Baseline? = null
        private set

    override fun run() {
        notYet(
            "-sV" to versionDetection, "--version-intensity" to (versionIntensity != null), "-O" to osDetection,
            "--resume" to (resume != null),
        )
        if (targets.isEmpty() && inputList == null) {
            throw UserError("no targets given", "name what to scan, e.g. kmap -sT -p 1-1024 127.0.0.1 (or -iL FILE)")
        }
        if (noDns && alwaysDns) throw UserError("-n and -R contradict each other", "choose one: -n never resolves, -R always does")
        val cmd = this
        val types = listOf(
            ScanType.CONNECT to connectScan, ScanType.SYN to synScan, ScanType.UDP to udpScan, ScanType.FIN to finScan,
            ScanType.NULL to nullScan, ScanType.XMAS to xmasScan, ScanType.ACK to ackScan, ScanType.WINDOW to windowScan,
            ScanType.MAIMON to maimonScan,
        ).filter { it.second }.map { it.first }.ifEmpty { if (pingScan) emptyList() else listOf(defaultTcpScanType(modules)) }
        val template = timing?.let { hinted(Hints.HELP) { TimingTemplate.parse(it) } } ?: TimingTemplate.T3
        targets.forEach { t -> hinted(Hints.TARGETS) { TargetSpec.parse(t) } }
        exclude.flatMap { it.split(',') }.filter { it.isNotBlank() }.forEach { t -> hinted(Hints.TARGETS) { TargetSpec.parse(t.trim()) } }
        val both = setOf(Protocol.TCP, Protocol.UDP)
        ports?.let { p -> hinted(Hints.PORTS) { PortSet.parse(p, both) } }
        excludePorts?.let { p -> hinted(Hints.PORTS) { PortSet.parse(p, both) } }
        inputList?.let { readable("-iL", it) }
        expectations = expectFile?.let { f ->
            readable("--expect", f)
            hinted(Hints.EXPECT) { Expectations.parse(File(f).readText(), f) }
        }
        baseline = baselineFile?.let { f ->
            readable("--baseline", f)
            hinted(Hints.BASELINE) {
                try { Baseline.fromJson(File(f).readText()) } catch (e: InvalidSpecException) { throw InvalidSpecException("$f: ${e.message}") }
            }
        }
        if (expectations?.rules.orEmpty().any { it is Expectation.NoChangeFromBaseline } && baseline == null) {
            throw UserError("the expectations in $expectFile include no-change-from-baseline, but no --baseline FILE was given", Hints.BASELINE)
        }
        if (baselineFile != null && expectations == null) throw UserError("--baseline needs --expect FILE (with no-change-from-baseline)", Hints.EXPECT)
        excludeFile?.let { readable("--excludefile", it) }
        val outputs = outputSpecs()
        val scriptSelectors = scriptSelectors()
        val parsedScriptArgs = scriptArgs?.let { a -> try { ScriptSupport.parseArgs(a) } catch (e: IllegalArgumentException) { throw UserError("--script-args: ${e.message}", Hints.SCRIPTS) } }
        if (parsedScriptArgs != null && scriptSelectors.isEmpty()) throw UserError("--script-args needs --script or -sC", Hints.SCRIPTS)
        scriptTimeoutMillis = scriptTimeout?.let { TimeSpec.millis("--script-timeout", it) }
        plan = hinted(Hints.HELP) {
            scan {
                targets {
                    cmd.targets.forEach { add(it) }
                    inputList?.let { file(it) }
                    exclude.flatMap { it.split(',') }.filter { it.isNotBlank() }.forEach { exclude(it.trim()) }
                    excludeFile?.let { excludeFile(it) }
                    if (randomizeHosts || seed != null) randomize(seed ?: System.nanoTime())
                    shard?.let { s -> val parsed = hinted("--shard takes I/N, e.g. 2/4") { Shard.parse(s) }; shard(parsed.index, parsed.count) }
                }
                types.forEach { scanType(it) }
                if (pingScan) pingOnly()
                if (skipDiscovery) skipDiscovery()
                val probes = discoveryFlags()
                if (probes.isNotEmpty()) discovery { probes.forEach { it() } }
                if (ports != null || fast || topPorts != null || excludePorts != null) {
                    ports {
                        cmd.ports?.let { spec(it) }
                        if (fast) top(100)
                        topPorts?.let { top(it) }
                        if (cmd.ports == null && !fast && topPorts == null) top(1000)
                        excludePorts?.let { exclude(it) }
                    }
                }
                timing(template) {
                    maxRetries = cmd.maxRetries
                    minRate = cmd.minRate
                    maxRate = cmd.maxRate
                    hostTimeout = time("--host-timeout", cmd.hostTimeout)
                    scanDelay = time("--scan-delay", cmd.scanDelay)
                    maxScanDelay = time("--max-scan-delay", cmd.maxScanDelay)
                    minRttTimeout = time("--min-rtt-timeout", cmd.minRtt)
                    maxRttTimeout = time("--max-rtt-timeout", cmd.maxRtt)
                    initialRttTimeout = time("--initial-rtt-timeout", cmd.initialRtt)
                    minParallelism = cmd.minParallelism
                    maxParallelism = cmd.maxParallelism
                }
                if (noDns) dns(DnsResolution.NEVER)
                if (alwaysDns) dns(DnsResolution.ALWAYS)
                if (ipv6) ipv6()
                output { outputs.forEach { format(it.format, it.path) } }
                scriptSelectors.forEach { sel -> script(sel) { parsedScriptArgs?.forEach { (k, v) -> arg(k, v) } } }
            }
        }
    }


    private fun discoveryFlags(): List<dev.kmap.dsl.DiscoveryBuilder.() -> Unit> = buildList {
        if (pingEcho) add { icmpEcho() }
        if (pingTimestamp) add { icmpTimestamp() }
        if (pingArp) add { arp() }
        pingSyn?.let { p -> val ports = pingPorts("-PS", p); add { tcpSyn(*ports) } }
        pingAck?.let { p -> val ports = pingPorts("-PA", p); add { tcpAck(*ports) } }
        pingUdp?.let { p -> val ports = pingPorts("-PU", p); add { udp(*ports) } }
    }

    private fun pingPorts(flag: String, text: String): IntArray {
        val set = hinted(Hints.PORTS) { PortSet.parse(text) }
        if (set.tcp.size > MAX_PING_PORTS) throw UserError("$flag lists ${set.tcp.size} ports", "discovery takes a few ports, e.g. ${flag}22,80,443")
        return set.tcp.toList().toIntArray()
    }

    /** The reports asked for, in option order; `-oA BASE` is three of them. */
    private fun outputSpecs(): List<OutputSpec> {
        val specs = ArrayList<OutputSpec>()
        fun add(format: OutputFormat, path: String?, flag: String = format.flag) {
            if (path == null) return
            if (path.isEmpty()) throw UserError("$flag needs a file name", Hints.OUTPUT)
            if (path != "-") writable(flag, path)
            specs += OutputSpec(format, path)
        }
        add(OutputFormat.NORMAL, outNormal)
        add(OutputFormat.XML, outXml)
        add(OutputFormat.GREPABLE, outGrep)
        add(OutputFormat.JSON, outJson)
        outAll?.let { base ->
            if (base == "-") throw UserError("-oA cannot write to standard output (it writes three files)", "use -oN -, -oX - or -oG - for one format on stdout")
            for (f in listOf(OutputFormat.NORMAL, OutputFormat.XML, OutputFormat.GREPABLE)) {
                add(f, "$base.${ReportFormats.extension(f)}", "-oA")
            }
        }
        add(OutputFormat.NDJSON, outNdjson)
        add(OutputFormat.CSV, outCsv)
        add(OutputFormat.SARIF, outSarif)
        add(OutputFormat.JUNIT, outJunit)
        add(OutputFormat.HTML, outHtml)
        val files = specs.filter { it.path != "-" }.groupBy { File(it.path).absoluteFile.normalize() }
        files.values.firstOrNull { it.size > 1 }?.let { same ->
            throw UserError("${same[0].format.flag} and ${same[1].format.flag} would both write \"${same[0].path}\"", "give each output its own file")
        }
        return specs
    }

    private fun time(option: String, text: String?) = text?.let { TimeSpec.millis(option, it).milliseconds }

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

    private fun writable(option: String, path: String) {
        val f = File(path).absoluteFile
        val dir = f.parentFile
        val why = when {
            f.isDirectory -> "it is a directory"
            f.exists() && !f.canWrite() -> "permission denied"
            dir == null || !dir.isDirectory -> "directory ${dir ?: "/"} does not exist"
            !f.exists() && !dir.canWrite() -> "directory $dir is not writable"
            else -> return
        }
        throw UserError("cannot write $option output \"$path\": $why", Hints.OUTPUT)
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
        const val MAX_PING_PORTS = 100
    }
}
