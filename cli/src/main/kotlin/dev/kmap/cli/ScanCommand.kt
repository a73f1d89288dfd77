package dev.kmap.cli

import com.github.ajalt.clikt.core.CoreCliktCommand
import com.github.ajalt.clikt.core.Context
import com.github.ajalt.clikt.core.UsageError
import com.github.ajalt.clikt.parameters.arguments.argument
import com.github.ajalt.clikt.parameters.arguments.multiple
import com.github.ajalt.clikt.parameters.options.counted
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.multiple
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.options.versionOption
import com.github.ajalt.clikt.parameters.types.double
import com.github.ajalt.clikt.parameters.types.int
import com.github.ajalt.clikt.parameters.types.long
import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.ScanPlan
import dev.kmap.dsl.ScanType
import dev.kmap.dsl.Shard
import dev.kmap.dsl.TimingTemplate
import dev.kmap.dsl.scan
import kotlin.time.Duration.Companion.milliseconds

/** `kmap [options] targets...`: nmap's flags where nmap has them. Builds a [ScanPlan]; [Cli] runs it. */
internal class ScanCommand : CoreCliktCommand(name = "kmap") {
    override fun help(context: Context): String =
        "kmap: a network scanner for the JVM, flag-compatible with nmap.\n\n" +
            "Targets: addresses, CIDR blocks (10.0.0.0/24), nmap octet ranges (10.0.0-3.1-254), " +
            "address ranges (10.0.0.5-10.0.0.20), host names. Subcommands: kmap run FILE, kmap self-test, kmap version."

    init {
        versionOption(Version.text, names = setOf("--version", "-V"), message = { "kmap version $it" })
    }

    val targets by argument(name = "TARGETS", help = "What to scan").multiple()

    // scan techniques
    val connectScan by option("-sT", help = "TCP connect scan (no privileges needed)").flag()
    val synScan by option("-sS", help = "TCP SYN scan").flag()
    val udpScan by option("-sU", help = "UDP scan").flag()
    val finScan by option("-sF", help = "TCP FIN scan").flag()
    val nullScan by option("-sN", help = "TCP NULL scan").flag()
    val xmasScan by option("-sX", help = "TCP Xmas scan").flag()
    val ackScan by option("-sA", help = "TCP ACK scan").flag()
    val windowScan by option("-sW", help = "TCP Window scan").flag()
    val maimonScan by option("-sM", help = "TCP Maimon scan").flag()
    val pingScan by option("-sn", help = "Ping scan: host discovery only, no port scan").flag()
    val skipDiscovery by option("-Pn", help = "Treat all hosts as up: skip host discovery").flag()
    val pingEcho by option("-PE", help = "ICMP echo discovery").flag()
    val pingTimestamp by option("-PP", help = "ICMP timestamp discovery").flag()
    val pingArp by option("-PR", help = "ARP/NDP discovery on the local link").flag()
    val pingSyn by option("--ping-syn", "-PS", metavar = "PORTS", help = "TCP SYN discovery to PORTS (-PS22,443; default 80)")
    val pingAck by option("--ping-ack", "-PA", metavar = "PORTS", help = "TCP ACK discovery to PORTS (default 80)")
    val pingUdp by option("--ping-udp", "-PU", metavar = "PORTS", help = "UDP discovery to PORTS (default 40125)")

    // ports
    val ports by option("-p", metavar = "PORTS", help = "Ports: 22; 1-1024; -; U:53,T:80-90; http; [1-1024]")
    val fast by option("-F", help = "Fast mode: the 100 most frequent ports").flag()
    val topPorts by option("--top-ports", metavar = "N", help = "The N most frequent ports").int()
    val excludePorts by option("--exclude-ports", metavar = "PORTS", help = "Ports to leave out")

    // targets
    val inputList by option("-iL", metavar = "FILE", help = "Read targets from FILE (- for stdin)")
    val exclude by option("--exclude", metavar = "HOSTS", help = "Comma-separated targets to leave out").multiple()
    val excludeFile by option("--excludefile", metavar = "FILE", help = "Leave out the targets in FILE")
    val randomizeHosts by option("--randomize-hosts", help = "Scan hosts in a random order").flag()
    val seed by option("--seed", metavar = "N", help = "Seed of the random host order (implies --randomize-hosts)").long()
    val shard by option("--shard", metavar = "I/N", help = "Scan only shard I of N (1-based)")
    val noDns by option("-n", help = "Never do reverse DNS").flag()
    val alwaysDns by option("-R", help = "Always do reverse DNS").flag()
    val ipv6 by option("-6", help = "Resolve host names to IPv6").flag()

    // timing
    val timing by option("--timing", "-T", metavar = "0-5", help = "Timing template (-T4)")
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
    val versionDetection by option("-sV", help = "Service and version detection").flag()
    val versionIntensity by option("--version-intensity", metavar = "0-9", help = "Version probe intensity").int()
    val osDetection by option("-O", help = "Operating system detection").flag()
    val scripts by option("--script", metavar = "NAMES", help = "Scripts by name, glob or category (comma-separated)")
    val scriptArgs by option("--script-args", metavar = "K=V,...", help = "Script arguments")

    // output
    val outNormal by option("-oN", metavar = "FILE", help = "Normal output to FILE (- for stdout)")
    val outXml by option("-oX", metavar = "FILE", help = "nmap XML output")
    val outGrep by option("-oG", metavar = "FILE", help = "Grepable output")
    val outJson by option("-oJ", "--json", metavar = "FILE", help = "JSON output")
    val outAll by option("-oA", metavar = "BASE", help = "Normal, XML and grepable output at BASE.*")
    val outNdjson by option("--ndjson", metavar = "FILE", help = "NDJSON output, a host per line as hosts finish")
    val outSarif by option("--sarif", metavar = "FILE", help = "SARIF 2.1.0 output")
    val outJunit by option("--junit", metavar = "FILE", help = "JUnit XML output")
    val outHtml by option("--html", metavar = "FILE", help = "HTML report")
    val openOnly by option("--open", help = "Show only open (or possibly open) ports").flag()
    val reason by option("--reason", help = "Show why each port has its state").flag()
    val verbose by option("-v", help = "More output (-vv for even more)").counted()
    val debug by option("-d", help = "Debugging output").counted()
    val resume by option("--resume", metavar = "FILE", help = "Resume an aborted scan")

    /** Set by [run]; [Cli] executes it. */
    var plan: ScanPlan? = null
        private set

    override fun run() {
        notYet("-sV" to versionDetection, "-O" to osDetection, "--version-intensity" to (versionIntensity != null),
            "--script" to (scripts != null), "--script-args" to (scriptArgs != null), "-oX" to (outXml != null),
            "-oG" to (outGrep != null), "-oA" to (outAll != null), "--sarif" to (outSarif != null),
            "--junit" to (outJunit != null), "--html" to (outHtml != null), "--resume" to (resume != null),
            "-PE" to pingEcho, "-PP" to pingTimestamp, "-PR" to pingArp, "-PS" to (pingSyn != null),
            "-PA" to (pingAck != null), "-PU" to (pingUdp != null))
        if (targets.isEmpty() && inputList == null) throw UsageError("no targets given (expected e.g. kmap -sT -p 1-1024 127.0.0.1)")
        if (noDns && alwaysDns) throw UsageError("-n and -R contradict each other (choose one)")
        val types = listOf(
            ScanType.CONNECT to connectScan, ScanType.SYN to synScan, ScanType.UDP to udpScan, ScanType.FIN to finScan,
            ScanType.NULL to nullScan, ScanType.XMAS to xmasScan, ScanType.ACK to ackScan, ScanType.WINDOW to windowScan,
            ScanType.MAIMON to maimonScan,
        ).filter { it.second }.map { it.first }
        val template = timing?.let { t ->
            TimingTemplate.parse(t)
        } ?: TimingTemplate.T3
        val cmd = this
        plan = scan {
            targets {
                cmd.targets.forEach { add(it) }
                inputList?.let { file(it) }
                exclude.flatMap { it.split(',') }.filter { it.isNotBlank() }.forEach { exclude(it.trim()) }
                excludeFile?.let { excludeFile(it) }
                if (randomizeHosts || seed != null) randomize(seed ?: System.nanoTime())
                shard?.let { val s = Shard.parse(it); shard(s.index, s.count) }
            }
            types.forEach { scanType(it) }
            if (pingScan) pingOnly()
            if (skipDiscovery) skipDiscovery()
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
                hostTimeout = cmd.hostTimeout?.let { TimeSpec.millis("--host-timeout", it).milliseconds }
                scanDelay = cmd.scanDelay?.let { TimeSpec.millis("--scan-delay", it).milliseconds }
                maxScanDelay = cmd.maxScanDelay?.let { TimeSpec.millis("--max-scan-delay", it).milliseconds }
                minRttTimeout = cmd.minRtt?.let { TimeSpec.millis("--min-rtt-timeout", it).milliseconds }
                maxRttTimeout = cmd.maxRtt?.let { TimeSpec.millis("--max-rtt-timeout", it).milliseconds }
                initialRttTimeout = cmd.initialRtt?.let { TimeSpec.millis("--initial-rtt-timeout", it).milliseconds }
                minParallelism = cmd.minParallelism
                maxParallelism = cmd.maxParallelism
            }
            if (noDns) dns(DnsResolution.NEVER)
            if (alwaysDns) dns(DnsResolution.ALWAYS)
            if (ipv6) ipv6()
            output {
                outNormal?.let { format(OutputFormat.NORMAL, it) }
                outJson?.let { format(OutputFormat.JSON, it) }
                outNdjson?.let { format(OutputFormat.NDJSON, it) }
            }
        }
    }

    private fun notYet(vararg flags: Pair<String, Boolean>) {
        flags.firstOrNull { it.second }?.let { throw UsageError("option ${it.first} is not supported yet") }
    }
}
