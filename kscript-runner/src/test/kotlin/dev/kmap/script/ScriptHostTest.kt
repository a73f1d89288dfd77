package dev.kmap.script

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertTimeoutPreemptively
import org.junit.jupiter.api.function.ThrowingSupplier
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** Compiling, caching, errors, time budgets, arguments and the registry, on a made-up host (no network). */
class ScriptHostTest {
    @TempDir lateinit var dir: File

    private val host = HostResult(
        Host(IpAddress.parse("127.0.0.1")), HostStatus.UP, "user-set",
        ports = listOf(
            PortResult(22, Protocol.TCP, PortState.OPEN, "syn-ack", "ssh"),
            PortResult(23, Protocol.TCP, PortState.CLOSED, "conn-refused", "telnet"),
            PortResult(80, Protocol.TCP, PortState.OPEN, "syn-ack", "http"),
        ),
    )

    private fun script(name: String, text: String) = File(dir, name).apply { writeText(text.trimIndent() + "\n") }

    private fun scriptHost(args: String = "", budget: kotlin.time.Duration = 10.seconds) =
        ScriptHost(cacheDir = File(dir, "cache"), scriptArgs = ScriptArgs.parse(args), budget = budget)

    private fun run(h: ScriptHost, vararg files: File): HostResult =
        runBlocking { h.runner(files.map { ScriptSource.of(it) }).process(host) }

    @Test
    fun `a compile error is reported as file, line and column`() {
        val f = script("broken.scan.kts", """
            description = "broken"
            val x: Int = "text"
        """)
        val e = assertFailsWith<ScriptCompileException> { scriptHost().load(ScriptSource.of(f)) }
        assertEquals(
            // the path as given, not only the file's name
            listOf("${f.path}:2:14: Initializer type mismatch: expected 'Int', actual 'String'."),
            e.errors,
        )
    }

    @Test
    fun `an action that throws is reported with its script line and other results stay`() {
        val bad = script("bad.scan.kts", """
            portRule { isOpen }
            action {
                if (port!!.port == 80) error("no web today")
                "fine on ${'$'}{port!!.port}"
            }
        """)
        val out = run(scriptHost(), bad)
        assertEquals(listOf(ScriptOutput("bad", "fine on 22")), out.ports[0].scripts)
        assertEquals(emptyList(), out.ports[1].scripts)
        assertEquals(listOf(ScriptOutput("bad", "ERROR: IllegalStateException: no web today (bad.scan.kts:3)")), out.ports[2].scripts)
    }

    @Test
    fun `a busy loop and a long delay are stopped at the budget without stopping the others`() {
        val spin = script("spin.scan.kts", """
            portRule { number == 22 }
            // never checks for cancellation; bounded (15 s) so the abandoned thread does not spin for the whole test run
            action { var n = 0L; val end = System.nanoTime() + 15_000_000_000L; while (System.nanoTime() < end) { n++ }; "spun ${'$'}n" }
        """)
        val sleepy = script("sleepy.scan.kts", """
            portRule { number == 80 }
            action { kotlinx.coroutines.delay(60_000); "woke" }
        """)
        val quick = script("quick.scan.kts", """
            portRule { isOpen }
            action { "quick ${'$'}{port!!.port}" }
        """)
        val h = scriptHost(budget = 700.milliseconds)
        val runner = h.runner(listOf(spin, sleepy, quick).map { ScriptSource.of(it) })
        val started = System.nanoTime()
        val out = runBlocking { runner.process(host) }
        val elapsedMs = (System.nanoTime() - started) / 1_000_000
        assertTrue(elapsedMs in 600..5_000, "took $elapsedMs ms")
        assertEquals(listOf(ScriptOutput("spin", "ERROR: timed out after 700ms (it ignored cancellation: the script process was ended)"), ScriptOutput("quick", "quick 22")), out.ports[0].scripts)
        assertEquals(listOf(ScriptOutput("sleepy", "ERROR: timed out after 700ms (it was stopped)"), ScriptOutput("quick", "quick 80")), out.ports[2].scripts)
        assertEquals(2, runner.timeouts)
        assertEquals(1, runner.workersReplaced)
        // the next host gets a fresh worker
        assertEquals(listOf(ScriptOutput("quick", "quick 22")), runBlocking { runner.process(host) }.ports[0].scripts.filter { it.id == "quick" })
        runner.close()
    }

    @Test
    fun `the second load of a script comes from the disk cache, without a compile`() {
        val f = script("hello.scan.kts", """
            description = "says hello"
            categories("safe")
            hostRule { true }
            action { "hello" }
        """)
        val first = scriptHost()
        first.load(ScriptSource.of(f))
        assertEquals(1, first.compiles)
        assertEquals(0, first.cacheHits)
        assertEquals(1, File(dir, "cache").listFiles()!!.count { it.name.endsWith(".jar") })
        val second = scriptHost()
        val loaded = second.load(ScriptSource.of(f))
        assertEquals(0, second.compiles)
        assertEquals(1, second.cacheHits)
        assertEquals("says hello", loaded.description)
        assertEquals(setOf("safe"), loaded.categories)
        assertEquals(listOf(ScriptOutput("hello", "hello")), runBlocking { second.runner(listOf(ScriptSource.of(f))).process(host) }.hostScripts)
        // a changed text is a different key: compiled again
        f.appendText("// changed\n")
        val third = scriptHost()
        third.load(ScriptSource.of(f))
        assertEquals(1, third.compiles)
    }

    @Test
    fun `script arguments, per script and global, and structured results`() {
        val f = script("greet.scan.kts", """
            argument("name", "who to greet", "world")
            portRule { number == 22 }
            action { result { put("greeting", "hello " + arg("name", "world")); put("other", arg("other")); table("list") { add(1); add("two") } } }
        """)
        val out = run(scriptHost("greet.name=kmap,name=ignored,other=x"), f).ports[0].scripts.single()
        assertEquals(
            ScriptOutput(
                "greet", "\n  greeting: hello kmap\n  other: x\n  list: \n    1\n    two",
                ScriptElement.Table(listOf(
                    ScriptElement.Elem("greeting", "hello kmap"), ScriptElement.Elem("other", "x"),
                    ScriptElement.Table(listOf(ScriptElement.Elem(null, "1"), ScriptElement.Elem(null, "two")), "list"),
                )),
            ),
            out,
        )
    }

    @Test
    fun `two scripts share data through the registry`() {
        val writer = script("writer.scan.kts", """
            portRule { isOpen }
            action { registry.getOrPut("ports") { java.util.concurrent.ConcurrentSkipListSet<Int>() }.add(port!!.port); null }
        """)
        val reader = script("reader.scan.kts", """
            hostRule { true }
            action {
                // host scripts run with the port scripts; wait for the writer's two entries
                val seen = registry.getOrPut("ports") { java.util.concurrent.ConcurrentSkipListSet<Int>() }
                while (seen.size < 2) kotlinx.coroutines.delay(10)
                "ports seen by writer: " + seen.joinToString(",")
            }
        """)
        val out = run(scriptHost(), writer, reader)
        assertEquals(listOf(ScriptOutput("reader", "ports seen by writer: 22,80")), out.hostScripts)
    }

    @Test
    fun `a script whose top level throws names its line`() {
        val f = script("top.scan.kts", """
            description = "x"
            val n = "x".toInt()
        """)
        val e = assertFailsWith<ScriptFailedException> { scriptHost().load(ScriptSource.of(f)) }
        assertEquals("${f.path}:2: NumberFormatException: For input string: \"x\"", e.message)
    }

    @Test
    fun `a port rule and a host rule that never return are stopped at the budget, and the other scripts run`() {
        val spinPort = script("spinport.scan.kts", """
            portRule { while (true) {}; true }
            action { "never" }
        """)
        val spinHost = script("spinhost.scan.kts", """
            hostRule { while (true) {}; true }
            action { "never" }
        """)
        val quick = script("quick.scan.kts", """
            portRule { isOpen }
            action { "quick ${'$'}{port!!.port}" }
        """)
        val out = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), ThrowingSupplier {
            val runner = scriptHost(budget = 700.milliseconds).runner(listOf(spinPort, spinHost, quick).map { ScriptSource.of(it) })
            runner.use { runBlocking { it.process(host) } }
        })
        assertEquals(
            listOf(
                ScriptOutput("spinport", "ERROR: its portRule timed out after 700ms (it ignored cancellation: the script process was ended); the script did not run on this host"),
                ScriptOutput("spinhost", "ERROR: its hostRule timed out after 700ms (it ignored cancellation: the script process was ended); the script did not run on this host"),
            ),
            out.hostScripts,
        )
        assertEquals(listOf(ScriptOutput("quick", "quick 22")), out.ports[0].scripts)
    }

    @Test
    fun `a library script whose top level never returns fails within the budget`() {
        val f = script("forever.scan.kts", """
            description = "never loads"
            while (true) {}
        """)
        val e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), ThrowingSupplier {
            assertFailsWith<ScriptFailedException> { scriptHost(budget = 700.milliseconds).runner(listOf(ScriptSource.of(f))) }
        })
        assertEquals("forever.scan.kts: timed out after 700ms in its top-level code (--script-timeout)", e.message)
    }

    @Test
    fun `output is cut per script and per host, and the cut is said`() {
        val big = script("big.scan.kts", """
            portRule { isOpen }
            action { "x".repeat(5_000_000) }
        """)
        val wide = script("wide.scan.kts", """
            hostRule { true }
            action { result("wide") { repeat(100_000) { add("0123456789") } } }
        """)
        val many = HostResult(host.host, HostStatus.UP, "user-set", ports = (1..20).map { PortResult(it, Protocol.TCP, PortState.OPEN, "syn-ack", null) })
        val runner = scriptHost().runner(listOf(big, wide).map { ScriptSource.of(it) })
        val (out, few) = runner.use { runBlocking { it.process(many) to it.process(host) } }
        val first = out.ports[0].scripts.single()
        assertEquals("x".repeat(65536) + "\n[kmap: output cut at 65536 of 5000000 characters]", first.output)
        // a cut output is 65536 characters and the note: 15 ports fit in 1 MiB, then the host cap drops the rest
        assertEquals(15, out.ports.count { p -> p.scripts.single().output.startsWith("xxx") })
        assertEquals("ERROR: output dropped: this host's scripts had already returned ${15 * first.output.length} of at most 1048576 characters", out.ports[15].scripts.single().output)
        val table = few.hostScripts.single().elements!!
        assertEquals(ScriptElement.Elem("kmap-cut", "output cut at 65536 of 1000000 characters"), table.children.last())
        assertTrue(table.children.size in 6000..7000, "${table.children.size} elements")
    }
}
