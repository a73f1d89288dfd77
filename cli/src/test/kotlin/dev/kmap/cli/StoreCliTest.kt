package dev.kmap.cli

import com.github.ajalt.clikt.core.parse
import dev.kmap.dsl.OutputFormat
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.report.format.ReportFormats
import dev.kmap.store.ScanStatus
import dev.kmap.store.ScanStore
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Path
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** The store from the command line: recording, history, show, diff, delete, export, resume, bad stores (loopback only). */
class StoreCliTest {
    @TempDir
    lateinit var dir: Path

    private val db get() = dir.resolve("kmap.db").toString()
    private fun f(name: String) = dir.resolve(name).toString()

    @Test
    fun `a scan is recorded and show re-emits every output byte for byte`() {
        LoopbackPorts().use { p ->
            val formats = mapOf("-oN" to "a.nmap", "-oX" to "a.xml", "-oG" to "a.gnmap", "-oJ" to "a.json", "--yaml" to "a.yaml", "--cef" to "a.cef", "--csv" to "a.csv")
            val args = listOf("-sT", "-Pn", "-n", "--reason", "-p", "${p.open},${p.closed}", "--store", db) +
                formats.flatMap { (flag, file) -> listOf(flag, f(file)) } + "127.0.0.1"
            val run = test(args)
            assertEquals(0, run.code, run.err)
            val history = test("history --store $db")
            assertTrue(Regex("(?m)^1 +\\S+ \\S+ +completed +1 +1 +- +127\\.0\\.0\\.1$").containsMatchIn(history.out), history.out)
            for ((flag, file) in formats) {
                val name = OutputFormat.entries.first { it.flag == flag || (flag == "-oJ" && it == OutputFormat.JSON) }.name.lowercase()
                val shown = test("show 1 --store $db --format $name")
                assertEquals(0, shown.code, shown.err)
                assertEquals(File(f(file)).readText(), shown.out, "kmap show --format $name vs $flag")
            }
            assertEquals(File(f("a.nmap")).readText(), test("show 1 --store $db").out, "normal is the default")
            assertEquals(0, test("show 1 --store $db --format xml -o ${f("again.xml")}").code)
            assertEquals(File(f("a.xml")).readText(), File(f("again.xml")).readText())
        }
    }

    @Test
    fun `--no-store records nothing and the default store comes from the environment`() {
        LoopbackPorts().use { p ->
            assertEquals(0, test("-sT -Pn -n -p ${p.open} --no-store --store $db 127.0.0.1").code)
            assertFalse(File(db).exists())
            // $KMAP_STORE (cli/pom.xml sets it for the tests) stands in for ~/.kmap/kmap.db
            val before = ScanStore.open(StoreAccess.url(null)).use { it.history(1000).size }
            assertEquals(0, test("-sT -Pn -n -p ${p.open} 127.0.0.1").code)
            assertEquals(before + 1, ScanStore.open(StoreAccess.url(null)).use { it.history(1000).size })
        }
    }

    @Test
    fun `diff shows a port that closed, and its exit status says so`() {
        val server = java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))
        val port = server.localPort
        assertEquals(0, test("-sT -Pn -n -p $port --store $db 127.0.0.1").code)
        server.close()
        assertEquals(0, test("-sT -Pn -n -p $port --store $db 127.0.0.1").code)
        val same = test("diff 1 1 --store $db")
        assertEquals(0, same.code, same.err)
        val d = test("diff 1 2 --store $db")
        assertEquals(1, d.code, d.err)
        val lines = d.out.lines()
        assertTrue(lines[0].startsWith("-kmap ") && lines[1].startsWith("+kmap "), d.out)
        assertTrue(" 127.0.0.1:" in lines, d.out)
        assertTrue(lines.any { it.matches(Regex("-$port/tcp +open +\\S+")) }, d.out)
        assertTrue(lines.any { it.matches(Regex("\\+$port/tcp +closed +\\S+")) }, d.out)
        val json = test("diff 1 2 --store $db --json")
        assertTrue("\"change\":\"closed\"" in json.out && "\"port\":$port" in json.out, json.out)
    }

    @Test
    fun `export streams several scans, delete removes them`() {
        LoopbackPorts().use { p ->
            repeat(2) { assertEquals(0, test("-sT -Pn -n -p ${p.open},${p.closed} --store $db 127.0.0.1").code) }
        }
        val csv = test("export --store $db --format csv").out.lines().filter { it.isNotEmpty() }
        assertEquals(1, csv.count { it.startsWith("address,") }, "one header")
        assertEquals(5, csv.size)
        val nd = test("export --store $db").out.lines().filter { it.isNotEmpty() }
        assertEquals(2, nd.count { it.startsWith("{\"scan\":") })
        assertEquals(1, test("export --store $db --since 1").out.lines().count { it.startsWith("{\"scan\":{\"id\":2") })
        val xml = test("export --store $db --format xml")
        assertEquals(2, xml.code)
        assertEquals(0, test("delete 1 --store $db").code)
        assertTrue(test("history --store $db").out.lines().none { it.startsWith("1 ") })
        val gone = test("show 1 --store $db")
        assertEquals(2, gone.code)
        assertEquals(listOf("kmap: no scan 1 in store jdbc:sqlite:$db (kmap history lists the stored scans)"), gone.errLines.take(1))
    }

    @Test
    fun `an interrupted scan resumes where it stopped and ends equal to an uninterrupted one`() {
        LoopbackPorts().use { p ->
            val range = "1-65535"
            val control = ScanControl()
            var found = 0
            val stopped = test(
                listOf("-sT", "-Pn", "-n", "-p", range, "--store", db, "-oX", f("r.xml"), "127.0.0.1"), control = control,
                observer = { e -> if (e is ScanEvent.PortFound && ++found == 20_000) control.stop() },
            )
            assertEquals(130, stopped.code, stopped.err)
            assertTrue("kmap: resume with: kmap --resume 1 --store jdbc:sqlite:$db" in stopped.errLines, stopped.err)
            val partial = ScanStore.open(db).use { it.load(1) }
            assertEquals(ScanStatus.INTERRUPTED, partial.summary.status)
            val resumed = test("--resume 1 --store $db")
            assertEquals(0, resumed.code, resumed.err)
            assertEquals(0, test("-sT -Pn -n -p $range --store $db -oX ${f("u.xml")} 127.0.0.1").code)
            ScanStore.open(db).use { store ->
                val a = store.load(1)
                val b = store.load(2)
                assertEquals(ScanStatus.COMPLETED, a.summary.status)
                val ha = a.hosts().single()
                val hb = b.hosts().single()
                assertEquals(65535, ha.ports.size)
                assertEquals(hb.ports.map { it.port }, ha.ports.map { it.port })
                // loopback is shared with the machine's other programs, whose listeners come and go between the two
                // scans: the exact comparison is the lab test's; here the states agree but for a few such ports
                val differ = ha.ports.zip(hb.ports).filter { (x, y) -> x.state != y.state }.map { it.first.port }
                assertTrue(differ.size <= 20 && p.open !in differ, "states differ on ports $differ")
                assertTrue(p.open in ha.ports.filter { it.state == PortState.OPEN }.map { it.port })
                assertEquals(hb.status, ha.status)
                // the resumed run rewrote its -oX whole, and show agrees with it
                val xml = File(f("r.xml")).readText()
                assertTrue("portid=\"${p.open}\"" in xml && "</nmaprun>" in xml && "exit=\"success\"" in xml, xml.takeLast(500))
                assertEquals(xml, StringBuilder().also { a.replay(ReportFormats.create(OutputFormat.XML, a.reportOptions), it) }.toString())
            }
            val again = test("--resume 1 --store $db")
            assertEquals(2, again.code)
            assertTrue("only an interrupted, failed or aborted scan can be resumed" in again.err, again.err)
            // nmap's form: the file it wrote
            val byFile = test("--resume ${f("u.xml")} --store $db")
            assertEquals(2, byFile.code)
            assertTrue("no interrupted scan in store" in byFile.err, byFile.err)
        }
    }

    @Test
    fun `learned timing - a second scan of a network starts from what the first measured`() {
        System.setProperty("kmap.store.learnTiming", "true")
        try {
            LoopbackPorts().use { p ->
                assertEquals(0, test("-sT -Pn -n -p ${p.open},${p.closed} --store $db 127.0.0.1").code)
                val learned = ScanStore.open(db).use { it.learnedTiming(dev.kmap.dsl.IpAddress.parse("127.0.0.9")) }!!
                assertEquals("127.0.0.0/24", learned.network)
                assertEquals(3, learned.samples) // the host's latency and two port replies
                val second = test("-sT -Pn -n -d -p ${p.open} --store $db 127.0.0.1")
                assertEquals(0, second.code, second.err)
                val line = second.errLines.single { it.startsWith("kmap: learned timing for 127.0.0.0/24: srtt ") }
                val plan = ScanStore.open(db).use { it.load(2).plan }
                val t = plan.timing
                assertEquals(learned.initialTimeoutMillis.coerceIn(t.effectiveMinRttTimeoutMillis, t.effectiveMaxRttTimeoutMillis), t.initialRttTimeoutMillis)
                assertTrue(line.endsWith("initial RTT timeout ${t.initialRttTimeoutMillis} ms"), line)
                // an explicit --initial-rtt-timeout wins
                assertEquals(0, test("-sT -Pn -n -p ${p.open} --initial-rtt-timeout 700ms --store $db 127.0.0.1").code)
                assertEquals(700L, ScanStore.open(db).use { it.load(3).plan.timing.initialRttTimeoutMillis })
            }
        } finally {
            System.setProperty("kmap.store.learnTiming", "false")
        }
    }

    @Test
    fun `bad stores stop the scan before anything is written`() {
        val junk = dir.resolve("junk.db").toFile().apply { writeText("not a database\n") }
        val run = test("-sT -Pn -n -p 1 --store ${junk.path} -oX ${f("x.xml")} 127.0.0.1")
        assertEquals(2, run.code)
        assertEquals("kmap: store jdbc:sqlite:${junk.path} is not a kmap database (not an SQLite file; expected a database kmap created)", run.errLines[0])
        assertTrue(run.errLines[1].startsWith("hint: kmap --no-store"), run.err)
        assertFalse(File(f("x.xml")).exists(), "no output before the store is usable")
        assertEquals("not a database\n", junk.readText())
        val pg = test("-sT -Pn -n -p 1 --store jdbc:postgresql://127.0.0.1:1/kmap?password=s3cret 127.0.0.1")
        assertEquals(2, pg.code)
        assertTrue(pg.errLines[0].startsWith("kmap: cannot reach PostgreSQL store jdbc:postgresql://127.0.0.1:1/kmap?password=*** "), pg.err)
        assertFalse("s3cret" in pg.err)
        val none = test("history --store ${f("none.db")}")
        assertEquals(0, none.code)
        assertTrue("No scans recorded yet" in none.out)
        assertFalse(File(f("none.db")).exists())
    }

    @Test
    fun `four shard processes starting together on a new SQLite store all record`() {
        // each process finds the store new; one migrates it, the others wait for that and find it done
        LoopbackPorts().use { p ->
            val args = listOf("-sT", "-Pn", "-n", "-p", "${p.open},${p.closed}", "--seed", "7", "--shard-count", "4", "--store", db, "127.0.0.1")
            val shards = (0 until 4).map { i ->
                val log = File(f("shard$i.log"))
                kmapProcess(args, env = mapOf("JOB_COMPLETION_INDEX" to "$i"), log = log) to log
            }
            for ((process, log) in shards) {
                assertTrue(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "a shard did not finish")
                assertEquals(0, process.exitValue(), log.readText())
            }
            val history = ScanStore.open(db).use { it.history() }
            assertEquals(listOf(4 to 4), history.map { it.shards to it.shardCount }, history.toString())
            assertEquals(ScanStatus.COMPLETED, history.single().status)
        }
    }

    @Test
    fun `shard options read the Kubernetes completion index`() {
        fun shard(args: String, index: String?): dev.kmap.dsl.Shard {
            val cmd = ScanCommand()
            cmd.storeOptions.env = { if (it == "JOB_COMPLETION_INDEX") index else null }
            cmd.parse(NmapArgs.normalize(args.split(' ')))
            return cmd.plan!!.targets.shard
        }
        assertEquals(dev.kmap.dsl.Shard(1, 4), shard("-sT --shard-count 4 --seed 7 127.0.0.1", "0"))
        assertEquals(dev.kmap.dsl.Shard(4, 4), shard("-sT --shard-count 4 --seed 7 127.0.0.1", "3"))
        assertEquals(dev.kmap.dsl.Shard(2, 3), shard("-sT --shard 2/3 127.0.0.1", "0"))
        assertEquals(
            "\$JOB_COMPLETION_INDEX is \"4\" (expected 0..3 for --shard-count 4)",
            runCatching { shard("-sT --shard-count 4 127.0.0.1", "4") }.exceptionOrNull()?.message,
        )
        assertEquals(
            "--shard-count needs \$JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job)",
            runCatching { shard("-sT --shard-count 4 127.0.0.1", null) }.exceptionOrNull()?.message,
        )
        if (System.getenv("JOB_COMPLETION_INDEX") == null) {
            val run = test("-sT -Pn -n -p 1 --shard-count 2 --no-store 127.0.0.1")
            assertEquals(2, run.code, run.err)
            assertEquals("kmap: --shard-count needs \$JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job)", run.errLines[0])
        }
    }
}
