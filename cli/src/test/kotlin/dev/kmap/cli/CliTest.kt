package dev.kmap.cli

import dev.kmap.dsl.DiscoveryProbe
import dev.kmap.dsl.ScanType
import dev.kmap.engine.ConnectScanModule
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.PortState
import dev.kmap.engine.Probe
import dev.kmap.engine.ProbeModule
import dev.kmap.engine.ProbeSession
import dev.kmap.engine.ReplySink
import dev.kmap.engine.SendResult
import dev.kmap.engine.Verdict
import org.junit.jupiter.api.io.TempDir
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.MethodSource
import java.io.File
import kotlin.reflect.KClass
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Flags, errors, help and subcommands through [test], with exact messages. */
class CliTest {
    @TempDir
    lateinit var tmp: File

    /** One user error: the argv, the exact first line on stderr and the exact hint line. */
    class ErrorCase(val argv: String, val message: String, val hint: String) {
        override fun toString() = "kmap $argv"
    }

    companion object {
        private const val HELP = "hint: kmap --help lists every option"

        @JvmStatic
        fun errors() = listOf(
            ErrorCase("--foo 127.0.0.1", "kmap: no such option --foo", HELP),
            ErrorCase("-sQ 127.0.0.1", "kmap: no such option -sQ", HELP),
            ErrorCase("--reson 127.0.0.1", "kmap: no such option --reson (did you mean --reason?)", HELP),
            ErrorCase("-sT -vx 127.0.0.1", "kmap: no such option -vx", HELP),
            ErrorCase("-p", "kmap: option -p requires a value", HELP),
            ErrorCase("", "kmap: no targets given", "hint: name what to scan, e.g. kmap -sT -p 1-1024 127.0.0.1 (or -iL FILE)"),
            ErrorCase("-sT -p 99999 127.0.0.1", "kmap: port 99999 in \"99999\" is out of range (ports are 0..65535)", "hint: ${Hints.PORTS}"),
            ErrorCase("-sT -p 22-x 127.0.0.1", null.let { "kmap: " + portError("22-x") }, "hint: ${Hints.PORTS}"),
            ErrorCase("-sT --exclude-ports 70000 127.0.0.1", "kmap: port 70000 in \"70000\" is out of range (ports are 0..65535)", "hint: ${Hints.PORTS}"),
            ErrorCase("-sT 10.0.0.0/33", "kmap: invalid CIDR prefix /33 in \"10.0.0.0/33\" (IPv4 prefixes are 0..32)", "hint: ${Hints.TARGETS}"),
            ErrorCase("-sT -iL /nonexistent/targets.txt", "kmap: cannot read -iL file \"/nonexistent/targets.txt\": no such file", "hint: ${Hints.FILE}"),
            ErrorCase("-sT -iL /tmp 127.0.0.1", "kmap: cannot read -iL file \"/tmp\": it is a directory", "hint: ${Hints.FILE}"),
            ErrorCase("-sT --excludefile /nonexistent/x 127.0.0.1", "kmap: cannot read --excludefile file \"/nonexistent/x\": no such file", "hint: ${Hints.FILE}"),
            ErrorCase("-sT -oX /nonexistent/a.xml 127.0.0.1", "kmap: cannot write -oX output \"/nonexistent/a.xml\": directory /nonexistent does not exist", "hint: ${Hints.OUTPUT}"),
            ErrorCase("-sT -oG /tmp 127.0.0.1", "kmap: cannot write -oG output \"/tmp\": it is a directory", "hint: ${Hints.OUTPUT}"),
            ErrorCase("-sT -oA - 127.0.0.1", "kmap: -oA cannot write to standard output (it writes three files)", "hint: use -oN -, -oX - or -oG - for one format on stdout"),
            ErrorCase("-sT -oX same.out --json same.out 127.0.0.1", "kmap: -oX and -oJ would both write \"same.out\"", "hint: give each output its own file"),
            ErrorCase("-sT -T9 127.0.0.1", "kmap: invalid timing template \"9\" (expected 0..5, T0..T5, or paranoid|sneaky|polite|normal|aggressive|insane)", HELP),
            ErrorCase("-sT --host-timeout 5x 127.0.0.1", "kmap: invalid time \"5x\" for --host-timeout", "hint: ${Hints.TIME}"),
            ErrorCase("-sT --top-ports abc 127.0.0.1", "kmap: invalid value for --top-ports: abc is not a valid integer", HELP),
            ErrorCase("-sT --shard 3/2 127.0.0.1", null.let { "kmap: " + shardError("3/2") }, "hint: --shard takes I/N, e.g. 2/4"),
            ErrorCase("-sT --min-rate 10 --max-rate 5 127.0.0.1", "kmap: min rate 10.0 is above max rate 5.0 (expected min rate <= max rate)", HELP),
            ErrorCase("-n -R 127.0.0.1", "kmap: -n and -R contradict each other", "hint: choose one: -n never resolves, -R always does"),
            ErrorCase("-sT -sn 127.0.0.1", "kmap: ping scan -sn cannot be combined with port scan -sT (-sn skips the port scan)", HELP),
            ErrorCase("-sT -sX 127.0.0.1", "kmap: scan types -sT and -sX cannot be combined (choose one TCP scan type; -sU may be added)", HELP),
            ErrorCase("-sV --version-intensity 12 127.0.0.1", "kmap: --version-intensity 12 is out of range (expected 0..9)", "hint: ${Hints.HELP}"),
            ErrorCase("-sV --version-light --version-all 127.0.0.1", "kmap: --version-intensity, --version-light and --version-all contradict each other", "hint: choose one of them"),
            ErrorCase("-O 127.0.0.1", "kmap: option -O is not supported yet", "hint: ${Hints.NOT_YET}"),
            ErrorCase("--script htp-title 127.0.0.1", "kmap: unknown script \"htp-title\" (expected a script name, glob, category or .scan.kts file; built-in: banner, http-title, http-headers, http-methods, http-robots, ssl-cert, ssl-enum-ciphers, tls-alpn, ssh-hostkey, ssh-auth-methods, ftp-anon, smtp-commands, redis-info, mysql-info, pgsql-info, memcached-info, dns-nsid, dns-recursion, ntp-info, snmp-sysdescr, vnc-info)", "hint: ${Hints.SCRIPTS}"),
            ErrorCase("--script-args a=b 127.0.0.1", "kmap: --script-args needs --script or -sC", "hint: ${Hints.SCRIPTS}"),
            ErrorCase("--resume old.xml", "kmap: --resume \"old.xml\" is neither a scan id nor a file", "hint: kmap history lists the stored scans"),
            ErrorCase("--resume 1 10.0.0.1", "kmap: --resume takes no targets (the stored scan has them)", "hint: kmap --resume ID continues scan ID of kmap history with its own options (--store URL for another store)"),
            ErrorCase("run scan.scan.kts", "kmap: cannot read script \"scan.scan.kts\": no such file", "hint: ${Hints.SCRIPTS}"),
            ErrorCase("run notes.txt", "kmap: cannot read script \"notes.txt\": no such file", "hint: ${Hints.SCRIPTS}"),
            ErrorCase("version extra", "kmap: kmap version takes no arguments (got extra)", "hint: kmap version"),
        )

        /** The DSL's own message for a bad port spec: the CLI passes it through verbatim. */
        private fun portError(spec: String) = runCatching { dev.kmap.dsl.PortSet.parse(spec) }.exceptionOrNull()!!.message!!

        private fun shardError(spec: String) = runCatching { dev.kmap.dsl.Shard.parse(spec) }.exceptionOrNull()!!.message!!
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    fun `user errors print the problem and a hint, exit 2, no stack trace`(case: ErrorCase) {
        val r = test(case.argv)
        assertEquals(listOf(case.message, case.hint), r.errLines)
        assertEquals(Cli.EXIT_USAGE, r.code)
        assertEquals("", r.out)
        assertFalse("Exception" in r.err || "\tat " in r.err)
    }

    /** A stand-in for a raw-packet module that cannot run here. */
    private class UnavailableModule(override val scanTypes: Set<ScanType>, private val why: String) : ProbeModule {
        override val name = "fake-raw"
        override val discoveryProbes: Set<KClass<out DiscoveryProbe>> = setOf(DiscoveryProbe.IcmpEcho::class)
        override val silence = Verdict(PortState.FILTERED, "no-response", false)
        override fun unavailableReason() = why
        override fun open(): ProbeSession = error("never opened")
    }

    @Test
    fun `raw scans fail with the engine's one-line error until a module provides them`() {
        val connectOnly = EngineConfig(modules = listOf(ConnectScanModule), progressIntervalMillis = 0)
        for (flag in listOf("-sU", "-sF", "-sN", "-sX", "-sA", "-sW", "-sM")) {
            val r = test(listOf(flag, "-p", "80", "127.0.0.1"), engine = connectOnly)
            assertEquals(Cli.EXIT_USAGE, r.code, flag)
            assertEquals(
                listOf("kmap: scan type $flag is unavailable: no probe module implements it yet; the connect scan -sT works without privileges", "hint: ${Hints.RAW}"),
                r.errLines,
            )
        }
        val withRaw = EngineConfig(modules = listOf(ConnectScanModule, UnavailableModule(setOf(ScanType.SYN), "needs root or CAP_NET_RAW")), progressIntervalMillis = 0)
        // -sS without raw packets runs as a connect scan and says so, as nmap does
        val syn = test(listOf("-sS", "-p", "1", "-n", "127.0.0.1"), engine = withRaw)
        assertEquals(Cli.EXIT_OK, syn.code)
        assertEquals("kmap: warning: scan type -sS is unavailable (needs root or CAP_NET_RAW); running -sT instead", syn.errLines.first())
        assertTrue("conn-refused" in test(listOf("-sS", "-p", "1", "-n", "--reason", "127.0.0.1"), engine = withRaw).out)
        assertEquals(
            "kmap: discovery probe IcmpEcho is unavailable: needs root or CAP_NET_RAW (use -Pn to skip discovery)",
            test(listOf("-sT", "-PE", "127.0.0.1"), engine = withRaw).errLines.first(),
        )
    }

    @Test
    fun `a failed scan leaves no empty output files`() {
        val xml = File(tmp, "raw.xml")
        val r = test(listOf("-sF", "-oX", xml.path, "127.0.0.1"), engine = EngineConfig(modules = listOf(ConnectScanModule)))
        assertEquals(Cli.EXIT_USAGE, r.code)
        assertFalse(xml.exists())
    }

    @Test
    fun `help lists every nmap flag of the issue and kmap's own`() {
        val r = test("--help")
        assertEquals(Cli.EXIT_OK, r.code)
        assertEquals("", r.err)
        val flags = "-sT -sS -sU -sF -sN -sX -sA -sW -sM -sn -Pn -PE -PP -PS -PA -PU -PR -p -F --top-ports --exclude-ports -iL " +
            "--exclude --excludefile -n -R -6 -T --min-rate --max-rate --max-retries --host-timeout --min-parallelism " +
            "--max-parallelism --scan-delay -sV --version-intensity -O --script -sC --script-args --script-timeout -oN -oX -oG -oJ -oA --open " +
            "--reason -v -d --resume --randomize-hosts --seed --shard --json --ndjson --csv --sarif --junit --html --expect --baseline --save-baseline"
        val listed = r.out.lines().filter { it.startsWith("  -") }.flatMap { line -> line.trim().substringBefore("  ").split(", ").map { it.substringBefore('=') } }.toSet()
        for (flag in flags.split(' ')) assertTrue(flag in listed, "--help does not list $flag")
        for (text in listOf("kmap self-test", "kmap version", "kmap run FILE", "Exit status: 0 done (and every expectation holds), 1 the scan failed (a tool error), 2 bad usage or input, 3 an expectation was violated, 130 interrupted")) {
            assertTrue(text in r.out, "--help lacks '$text'")
        }
        assertEquals(r.out, test("-h").out)
    }

    @Test
    fun `version flag and subcommand`() {
        assertEquals(Run("kmap version ${Version.text}\n", "", 0), test("--version"))
        assertEquals(Run("kmap version ${Version.text}\n", "", 0), test("-V"))
        val v = test("version")
        assertEquals(0, v.code)
        assertTrue(v.out.startsWith("kmap version ${Version.text}\nKotlin ${KotlinVersion.CURRENT}, JVM "))
        assertFalse(Version.text == "unknown" || '$' in Version.text, "the jar carries its Maven version")
    }

    @Test
    fun `subcommand help`() {
        assertTrue(test("self-test --help").out.startsWith("Usage: kmap self-test"))
        assertTrue(test("run --help").out.startsWith("Usage: kmap run [--script-args K=V,...] [--script-args-file FILE] [--script-timeout TIME] FILE.scan.kts|FILE.main.kts [args]"))
    }

    @Test
    fun `self-test passes its essential checks here`() {
        val r = test("self-test")
        assertEquals(Cli.EXIT_OK, r.code, r.out)
        for (name in listOf("interfaces", "dns", "loopback")) assertTrue(r.out.lines().any { it.startsWith("PASS $name: ") }, "no PASS $name in\n${r.out}")
        assertTrue("SKIP database: not configured yet" in r.out)
        assertTrue(r.out.lines().all { it.isEmpty() || it.startsWith("PASS ") || it.startsWith("FAIL ") || it.startsWith("SKIP ") || it.startsWith("self-test: ") })
    }

    @Test
    fun `the command line in reports is shell-quoted`() {
        assertEquals("kmap -sT -p 1-100 10.0.0.0/24", Cli.commandLine(listOf("-sT", "-p", "1-100", "10.0.0.0/24")))
        assertEquals("kmap --exclude 'a b' 'it'\\''s' ''", Cli.commandLine(listOf("--exclude", "a b", "it's", "")))
    }

    /** Answers every probe "closed" at once, then fails on its 1501st probe: an engine failure after the scan started. */
    private object FailingModule : ProbeModule {
        override val name = "failing"
        override val scanTypes = setOf(ScanType.CONNECT)
        override val discoveryProbes: Set<KClass<out DiscoveryProbe>> = emptySet()
        override val silence = Verdict(PortState.FILTERED, "no-response", false)
        override fun open(): ProbeSession = object : ProbeSession {
            private val pending = ArrayDeque<Probe>()
            private var sent = 0
            override val capacity = 64
            override fun send(probe: Probe): SendResult {
                if (++sent > 1_500) throw IllegalStateException("socket table exploded")
                pending += probe
                return SendResult.SENT
            }
            override fun poll(timeoutNanos: Long, sink: ReplySink) {
                if (pending.isEmpty()) Thread.sleep(minOf(1L, timeoutNanos / 1_000_000))
                while (pending.isNotEmpty()) sink.reply(pending.removeFirst(), Verdict(PortState.CLOSED, "conn-refused", true))
            }
            override fun abandon(probe: Probe) { pending.remove(probe) }
            override fun close() {}
        }
    }

    @Test
    fun `an engine failure midway is one line, exit 1, and the outputs are still closed`() {
        val xml = File(tmp, "failed.xml")
        val json = File(tmp, "failed.json")
        val engine = EngineConfig(modules = listOf(FailingModule), progressIntervalMillis = 0)
        var started = false
        val r = test(listOf("-sT", "-Pn", "-n", "-p", "1-3000", "-oX", xml.path, "-oJ", json.path, "127.0.0.1"), engine = engine) { e ->
            if (e is dev.kmap.engine.ScanEvent.Started) started = true
        }
        assertEquals(Cli.EXIT_FAILED, r.code)
        assertEquals(listOf("kmap: the scan failed: IllegalStateException: socket table exploded", "hint: rerun with -d for the stack trace"), r.errLines)
        assertTrue(started, "the failure came after the scan started")
        assertValidNmapXml(xml.readText())
        kotlinx.serialization.json.Json.parseToJsonElement(json.readText())
        assertTrue("\tat " in test(listOf("-d", "-sT", "-Pn", "-n", "-p", "1-3000", "127.0.0.1"), engine = engine).err)
    }
}
