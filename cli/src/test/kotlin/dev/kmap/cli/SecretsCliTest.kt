package dev.kmap.cli

import dev.kmap.engine.ScanEvent
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Secret script arguments never reach a report or the terminal; they come from a file or the environment too. Loopback only. */
class SecretsCliTest {
    @TempDir lateinit var dir: File

    private fun file(name: String, text: String) = File(dir, name).apply { writeText(text.trimIndent() + "\n") }

    @Test
    fun `secret values are masked in every output and the echoed command line`() {
        LoopbackPorts().use { ports ->
            // a script that declares its own secret argument with a name that is not secret-looking
            val mine = file("mine.scan.kts", """
                argument("user", "who logs in", secret = true)
                portRule { isOpen }
                action { "ran" }
            """)
            val outs = listOf("-oN" to "scan.nmap", "-oX" to "scan.xml", "-oG" to "scan.gnmap", "-oJ" to "scan.json", "--ndjson" to "scan.ndjson", "--csv" to "scan.csv", "--sarif" to "scan.sarif", "--junit" to "scan.junit.xml", "--html" to "scan.html")
            var planArgs: Map<String, String>? = null
            val r = test(
                listOf("-sT", "-Pn", "-n", "-p", "${ports.open}", "--script", "banner,${mine.path}", "--script-args", "redis-info.password=hunter2,api-token=tok123,user=alice,banner.timeout=1") +
                    outs.flatMap { (flag, name) -> listOf(flag, File(dir, name).path) } + "127.0.0.1",
            ) { e -> if (e is ScanEvent.Started) planArgs = e.plan.scripts.first().args }
            assertEquals(0, r.code, r.err)
            // the scripts get the real values
            assertEquals(mapOf("redis-info.password" to "hunter2", "api-token" to "tok123", "user" to "alice", "banner.timeout" to "1"), planArgs)
            val texts = outs.map { File(dir, it.second).readText() } + r.out + r.err
            for (secret in listOf("hunter2", "tok123", "alice")) texts.forEach { assertFalse(secret in it, "\"$secret\" in:\n$it") }
            assertTrue("redis-info.password=***,api-token=***,user=***,banner.timeout=1" in File(dir, "scan.xml").readText())
            assertTrue("\"redis-info.password\":\"***\"" in File(dir, "scan.json").readText().replace(" ", "").replace("\n", ""))
        }
    }

    @Test
    fun `--script-args-file, overridden by --script-args, and env values`() {
        LoopbackPorts().use { ports ->
            val args = file("args.txt", """
                # secrets stay out of the shell history
                redis-info.password=fromfile
                banner.timeout=3
            """)
            var planArgs: Map<String, String>? = null
            val r = test(listOf("-sT", "-Pn", "-n", "-p", "${ports.closed}", "--script", "banner", "--script-args-file", args.path, "--script-args", "banner.timeout=1", "127.0.0.1")) { e ->
                if (e is ScanEvent.Started) planArgs = e.plan.scripts.single().args
            }
            assertEquals(0, r.code, r.err)
            assertEquals(mapOf("redis-info.password" to "fromfile", "banner.timeout" to "1"), planArgs)
            assertEquals(
                listOf("kmap: --script-args-file ${dir.path}/bad.txt:1: unterminated quote in script argument \"a\" (expected name=\"value\")", "hint: ${Hints.SCRIPTS}"),
                test(listOf("-sT", "--script", "banner", "--script-args-file", file("bad.txt", "a='x").path, "127.0.0.1")).errLines,
            )
            assertEquals(
                listOf("kmap: script argument redis-info.password: environment variable KMAP_TEST_NOT_SET_ANYWHERE is not set", "hint: ${Hints.SCRIPTS}"),
                test("-sT --script banner --script-args redis-info.password=env:KMAP_TEST_NOT_SET_ANYWHERE 127.0.0.1").errLines,
            )
        }
    }

    @Test
    fun `an env value reaches the script and no output`() {
        LoopbackPorts().use { ports ->
            val echo = file("echo.scan.kts", """
                hostRule { true }
                action { "got " + (arg("db.password")?.length ?: -1) + " characters" }
            """)
            val xml = File(dir, "scan.xml")
            val p = ProcessBuilder(
                kmapCommand("-Dkmap.script.cache=${File(dir, "cache")}") + listOf(
                    "-sT", "-Pn", "-n", "-p", "${ports.closed}", "--script", echo.path, "--script-args", "db.password=env:KMAP_TEST_DB_PASSWORD", "-oX", xml.path, "127.0.0.1",
                ),
            ).redirectErrorStream(true).redirectOutput(File(dir, "out.txt")).also { it.environment()["KMAP_TEST_DB_PASSWORD"] = "s3cr3t-from-env" }.start()
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kmap did not finish")
            val out = File(dir, "out.txt").readText()
            assertEquals(0, p.exitValue(), out)
            assertTrue("got 15 characters" in xml.readText(), xml.readText())
            assertFalse("s3cr3t" in xml.readText() + out)
        }
    }
}
