package dev.kmap.samples

import java.io.File
import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/**
 * bin/kmap's two class paths: a command without scripts runs without the jars only scripts need
 * (cli/target/lib-plain.txt), and every such command still finds every class it needs there; a
 * command with scripts (`--script`, `-sC`, `run`) or `--resume` (its stored scan may have
 * scripts) gets the whole class path. Loopback only.
 */
class LauncherClassPathTest {
    private val root = File("..").canonicalFile
    private val kmap = File(root, "bin/kmap").path
    private val store = Files.createTempDirectory("kmap-launcher-store").toFile()

    private class Result(val code: Int, val out: String, val err: String)

    private fun run(vararg args: String, trace: Boolean = false): Result {
        val out = Files.createTempFile("kmap-launcher", ".out").toFile()
        val err = Files.createTempFile("kmap-launcher", ".err").toFile()
        try {
            val command = (if (trace) listOf("bash", "-x", kmap) else listOf(kmap)) + args
            val pb = ProcessBuilder(command).directory(root).redirectOutput(out).redirectError(err)
            pb.environment()["KMAP_STORE"] = "jdbc:sqlite:${File(store, "kmap.db")}"
            pb.environment()["KMAP_SCRIPT_CACHE"] = File(store, "script-cache").path
            pb.environment().remove("KMAP_WARM")
            val p = pb.start()
            check(p.waitFor(300, TimeUnit.SECONDS)) { p.destroyForcibly(); "kmap ${args.toList()} did not finish" }
            return Result(p.exitValue(), out.readText(), err.readText())
        } finally {
            out.delete(); err.delete()
        }
    }

    /** The `-cp` of the JVM bin/kmap execs for [args] (from `bash -x`). */
    private fun classPathOf(vararg args: String): String {
        val r = run(*args, trace = true)
        val exec = r.err.lines().last { it.startsWith("+ exec ") && "dev.kmap.cli.MainKt" in it }
        return exec.substringAfter(" -cp ").substringBefore(' ')
    }

    private fun assertClean(r: Result, what: String) {
        assertFalse("internal error" in r.err || "NoClassDefFoundError" in r.err || "ClassNotFoundException" in r.err, "$what: ${r.err}")
    }

    @Test
    fun `plain commands run without the scripting jars and find every class they need`() {
        val plain = classPathOf("version")
        assertFalse("lib/*" in plain || "kotlin-compiler-embeddable" in plain || "maven-core" in plain, plain)
        assertTrue("kscript-runner" in plain && "scan-engine" in plain && "sqlite-jdbc" in plain, plain)
        assertEquals(plain, classPathOf("-sT", "-p", "1", "127.0.0.1"), "a scan gets the same class path")

        ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")).use { server ->
            val port = server.localPort
            // an SSH banner for -sV to match at once (the port scan's own connection may be reset
            // before the banner is written: each connection's failure is its own)
            Thread {
                while (!server.isClosed) {
                    val client = runCatching { server.accept() }.getOrNull() ?: break
                    runCatching { client.use { it.getOutputStream().write("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".toByteArray()); Thread.sleep(200) } }
                }
            }.apply { isDaemon = true }.start()
            val outputs = File(store, "out").path
            val scan = run("-sT", "-sV", "-Pn", "-n", "-v", "--reason", "-p", "$port,1", "-oA", outputs, "127.0.0.1")
            assertClean(scan, "scan")
            assertEquals(0, scan.code, scan.err)
            assertTrue(Regex("""$port/tcp\s+open\s+ssh\s+syn-ack\s+OpenSSH 9.2p1""").containsMatchIn(scan.out), scan.out)
            for (ext in listOf("nmap", "xml", "gnmap")) assertTrue(File("$outputs.$ext").length() > 0, "$outputs.$ext")
        }
        for (command in listOf(listOf("history"), listOf("show", "1"), listOf("show", "1", "--format", "json"), listOf("diff", "1", "1"), listOf("export", "--format", "ndjson"))) {
            val r = run(*command.toTypedArray())
            assertClean(r, command.joinToString(" "))
            assertEquals(0, r.code, "$command: ${r.err}")
        }
        assertClean(run("self-test"), "self-test")
    }

    @Test
    fun `scripts and resumes get the whole class path, and scripts run there`() {
        // each command line is then refused by the CLI (exit 2): only bin/kmap's choice matters here
        assertTrue("lib/*" in classPathOf("--script", "banner", "--no-such-option"))
        assertTrue("lib/*" in classPathOf("-sC", "--no-such-option"))
        assertTrue("lib/*" in classPathOf("--resume", "999", "--no-such-option"))
        assertTrue("lib/*" in classPathOf("run", "--no-such-option"))
        ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")).use { server ->
            val r = run("-sT", "-Pn", "-n", "-p", "${server.localPort}", "--script", "banner", "127.0.0.1")
            assertClean(r, "--script")
            assertEquals(0, r.code, r.err)
        }
    }
}
