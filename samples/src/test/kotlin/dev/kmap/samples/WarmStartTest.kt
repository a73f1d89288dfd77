package dev.kmap.samples

import java.io.File
import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.TimeUnit
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/**
 * bin/kmap with `KMAP_WARM=1`: the first run starts a warm process, the next run in the same
 * directory, namespace and environment is served by it (which then exits), with the client's
 * working directory, standard streams, exit code and Ctrl-C; a run from another directory or
 * with another environment is not served (the latter retires the warm process), and a warm
 * directory others could write to is never used. Loopback only; each test's warm processes live
 * in a runtime directory of their own and are killed at the end.
 */
class WarmStartTest {
    private val root = File("..").canonicalFile
    private val kmap = File(root, "bin/kmap").path
    private val runtime = Files.createTempDirectory("kmap-warm-runtime").toFile()
    private val cwd = Files.createTempDirectory("kmap-warm-cwd").toFile()
    private val warmDir = File(runtime, "kmap-warm-${uid()}")
    private val env = mapOf("KMAP_WARM" to "1", "XDG_RUNTIME_DIR" to runtime.path, "KMAP_WARM_IDLE" to "120")

    private class Result(val code: Int, val out: String, val err: String)

    private fun uid(): String = ProcessBuilder("id", "-u").start().inputStream.bufferedReader().readText().trim()

    /** bin/kmap [args], or a whole command when [args] starts with one (`unshare`). */
    private fun start(args: List<String>, dir: File = cwd, extraEnv: Map<String, String> = emptyMap(), stdin: File? = null, out: File, err: File): Process {
        val pb = ProcessBuilder(if (args.first() == "unshare") args else listOf(kmap) + args).directory(dir).redirectOutput(out).redirectError(err)
        stdin?.let { pb.redirectInput(it) }
        pb.environment().putAll(env + extraEnv)
        return pb.start()
    }

    private fun run(args: List<String>, dir: File = cwd, extraEnv: Map<String, String> = emptyMap(), stdin: File? = null): Result {
        val out = Files.createTempFile("kmap-warm", ".out").toFile()
        val err = Files.createTempFile("kmap-warm", ".err").toFile()
        try {
            val p = start(args, dir, extraEnv, stdin, out, err)
            check(p.waitFor(120, TimeUnit.SECONDS)) { p.destroyForcibly(); "kmap $args did not finish" }
            return Result(p.exitValue(), out.readText(), err.readText())
        } finally {
            out.delete(); err.delete()
        }
    }

    /** The warm processes of this test's runtime directory. */
    private fun warmProcesses(): List<ProcessHandle> = ProcessHandle.allProcesses().filter { p ->
        p.info().commandLine().orElse("").contains("-Dkmap.warm.dir=${warmDir.path}")
    }.toList()

    /** Waits for a warm process listening in [warmDir] (a socket there), and returns it. */
    private fun awaitWarm(): ProcessHandle {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
        while (System.nanoTime() < deadline) {
            val sockets = warmDir.listFiles { f -> f.name.endsWith(".sock") }.orEmpty()
            val live = warmProcesses()
            if (sockets.isNotEmpty() && live.size == 1) return live.single()
            Thread.sleep(50)
        }
        error("no warm process listened in $warmDir within 60 s: ${warmProcesses().map { it.pid() }}, ${warmDir.list()?.toList()}")
    }

    private fun awaitGone(p: ProcessHandle): Boolean {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
        while (p.isAlive && System.nanoTime() < deadline) Thread.sleep(20)
        return !p.isAlive
    }

    private fun <T> listening(block: (port: Int) -> T): T = ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")).use { block(it.localPort) }

    private fun scan(port: Int, vararg more: String) = listOf("-sT", "-Pn", "-n", "--no-store", "-p", "$port") + more + "127.0.0.1"

    private fun portLines(out: String) = out.lines().filter { it.matches(Regex("""\d+/tcp\s.*""")) }

    @AfterTest
    fun cleanUp() {
        warmProcesses().forEach { it.destroyForcibly() }
        runtime.deleteRecursively()
        cwd.deleteRecursively()
    }

    @Test
    fun `a warm process serves the next run as a new JVM would, once`() = listening { port ->
        val cold = run(scan(port, "-oX", "cold.xml"))
        assertEquals(0, cold.code, cold.err)
        assertTrue(portLines(cold.out).single().matches(Regex("""$port/tcp\s+open\b.*""")), cold.out)

        val first = awaitWarm()
        val warm = run(scan(port, "-oX", "warm.xml"))
        assertEquals(0, warm.code, warm.err)
        assertEquals(portLines(cold.out), portLines(warm.out))
        assertEquals("", warm.err)
        assertTrue(File(cwd, "warm.xml").readText().trimEnd().endsWith("</nmaprun>"), "-oX warm.xml is written in the client's directory")
        assertTrue(awaitGone(first), "the warm process serves one run and exits")

        // bad usage: one line on stderr, exit 2, through the warm process
        val second = awaitWarm()
        val bad = run(listOf("--no-such-flag", "127.0.0.1"))
        assertEquals(2, bad.code, bad.err)
        assertTrue(bad.err.startsWith("kmap: no such option --no-such-flag"), bad.err)
        assertEquals("", bad.out)
        assertTrue(awaitGone(second))

        // the client's standard input: -iL -
        val third = awaitWarm()
        val targets = File(cwd, "targets.txt").apply { writeText("127.0.0.1\n") }
        val fromStdin = run(listOf("-sT", "-Pn", "-n", "--no-store", "-p", "$port", "-iL", "-"), stdin = targets)
        assertEquals(0, fromStdin.code, fromStdin.err)
        assertEquals(portLines(cold.out), portLines(fromStdin.out))
        assertTrue(awaitGone(third))
    }

    @Test
    fun `another directory is not served, another environment retires the warm process`() = listening { port ->
        assertEquals(0, run(scan(port)).code)
        val warm = awaitWarm()
        val elsewhere = Files.createTempDirectory("kmap-warm-other").toFile()
        try {
            val other = run(scan(port), dir = elsewhere)
            assertEquals(0, other.code, other.err)
            assertEquals(1, portLines(other.out).size, other.out)
            assertTrue(warm.isAlive, "a run from another directory is not served by this directory's warm process")
        } finally {
            elsewhere.deleteRecursively()
        }
        // another store in the environment: only a new JVM, which reads it, records there
        val store = File(cwd, "other.db")
        val changed = run(scan(port) - "--no-store", extraEnv = mapOf("KMAP_STORE" to "jdbc:sqlite:${store.path}"))
        assertEquals(0, changed.code, changed.err)
        assertEquals(1, portLines(changed.out).size, changed.out)
        assertTrue(store.isFile, "the run with another environment ran in a new JVM, with that environment")
        assertTrue(awaitGone(warm), "a warm process refuses a client with another environment and retires")
    }

    @Test
    fun `Ctrl-C reaches the warm process, which writes partial results and exits 130`() = listening { port ->
        assertEquals(0, run(scan(port)).code)
        val warm = awaitWarm()
        val out = Files.createTempFile("kmap-warm", ".out").toFile()
        val err = Files.createTempFile("kmap-warm", ".err").toFile()
        try {
            // a scan of 65535 ports, one every 5 ms: minutes, unless interrupted
            val p = start(listOf("-sT", "-Pn", "-n", "--no-store", "-p-", "--scan-delay", "5ms", "-oX", "partial.xml", "127.0.0.1"), out = out, err = err)
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
            while (!File(cwd, "partial.xml").exists() && System.nanoTime() < deadline) Thread.sleep(20)
            Thread.sleep(500)
            ProcessBuilder("kill", "-INT", "${p.pid()}").start().waitFor()
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the client ends after Ctrl-C")
            assertEquals(130, p.exitValue(), err.readText())
            assertTrue("interrupted" in err.readText(), err.readText())
            assertTrue(File(cwd, "partial.xml").readText().trimEnd().endsWith("</nmaprun>"), "the output is closed well-formed")
            assertTrue(awaitGone(warm), "the warm process that ran it has exited")
        } finally {
            out.delete(); err.delete()
        }
    }

    @Test
    fun `a run in another network namespace is not served`() = listening { port ->
        if (uid() != "0") return@listening // unshare -n needs root
        assertEquals(0, run(scan(port)).code)
        val warm = awaitWarm()
        // a new namespace has its own loopback (down): whatever the scan says, it is not this process's
        run(listOf("unshare", "-n", kmap) + scan(port)).let { r -> assertTrue(r.code == 0 || r.code == 1, r.err) }
        assertTrue(warm.isAlive, "a warm process of another network namespace never serves")
    }

    @Test
    fun `a warm directory others can write to is never used`() = listening { port ->
        warmDir.mkdirs()
        Files.setPosixFilePermissions(warmDir.toPath(), PosixFilePermissions.fromString("rwxr-xr-x"))
        val r = run(scan(port))
        assertEquals(0, r.code, r.err)
        assertEquals(1, portLines(r.out).size, r.out)
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (warmProcesses().isNotEmpty() && System.nanoTime() < deadline) Thread.sleep(50)
        assertTrue(warmProcesses().isEmpty(), "the warm process refuses a directory that is not private, and exits")
        assertFalse(warmDir.listFiles().orEmpty().any { it.name.endsWith(".sock") })
    }
}
