package dev.kmap.samples

import java.io.File
import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The samples as a user meets them: the README's Kotlin and Java code (shown whole in the README)
 * compiled here and run against a loopback listener as a library user runs them (no logging
 * binding on the class path: not a line on stderr), the scripts of samples/scripts run by
 * bin/kmap, and bin/kmap's lookup of the CLI jar. Loopback only.
 */
class SamplesTest {
    private val root = File("..").canonicalFile
    private val java = ProcessHandle.current().info().command().get()

    private class Result(val code: Int, val out: String, val err: String)

    private fun run(command: List<String>, timeoutSeconds: Long = 300, dir: File = root, env: Map<String, String> = emptyMap()): Result {
        val out = Files.createTempFile("kmap-sample", ".out").toFile()
        val err = Files.createTempFile("kmap-sample", ".err").toFile()
        try {
            val pb = ProcessBuilder(command).directory(dir).redirectOutput(out).redirectError(err)
            pb.environment().putAll(env)
            val p = pb.start()
            check(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) { p.descendants().forEach { it.destroyForcibly() }; p.destroyForcibly(); "$command did not finish" }
            return Result(p.exitValue(), out.readText(), err.readText())
        } finally {
            out.delete(); err.delete()
        }
    }

    private fun <T> listening(block: (port: Int) -> T): T = ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")).use { block(it.localPort) }

    @Test
    fun `the Kotlin sample scans loopback, quietly`() = listening { port ->
        val xml = Files.createTempFile("kmap-sample", ".xml").toFile()
        try {
            val r = run(listOf(java, "-cp", System.getProperty("java.class.path"), "dev.kmap.samples.KotlinApiKt", "127.0.0.1", "$port", xml.path))
            assertEquals(0, r.code, r.err)
            assertEquals("127.0.0.1: open [$port]\nfound $port/tcp\n1 host(s) scanned, report in ${xml.path}\n", r.out)
            assertEquals("", r.err, "a library user sees nothing on stderr (e.g. SLF4J's warnings)")
            val text = xml.readText()
            assertTrue("portid=\"$port\"" in text && text.trimEnd().endsWith("</nmaprun>"), text)
        } finally {
            xml.delete()
        }
    }

    @Test
    fun `the Java sample scans loopback, quietly`() = listening { port ->
        val r = run(listOf(java, "-cp", System.getProperty("java.class.path"), "dev.kmap.samples.JavaApi", "127.0.0.1", "$port"))
        assertEquals(0, r.code, r.err)
        assertEquals("127.0.0.1: open $port\n1 host(s) scanned\n", r.out)
        assertEquals("", r.err)
    }

    @Test
    fun `the README shows the samples whole`() {
        val readme = File(root, "README.md").readText()
        for (f in listOf("samples/src/main/kotlin/dev/kmap/samples/KotlinApi.kt", "samples/src/main/java/dev/kmap/samples/JavaApi.java")) {
            assertTrue(File(root, f).readText() in readme, "README.md does not show $f whole")
        }
    }

    @Test
    fun `the scripts of samples-scripts run with bin-kmap`() = listening { port ->
        val kmap = File(root, "bin/kmap").path
        val env = mapOf("KMAP_SCRIPT_CACHE" to Files.createTempDirectory("kmap-cache").toString())
        val hello = run(listOf(kmap, "run", "samples/scripts/hello.scan.kts", "a", "b"), env = env)
        assertEquals(0, hello.code, hello.err)
        assertEquals("hello from a kmap scan script, args=[a, b]\n", hello.out)
        val loopback = run(listOf(kmap, "run", "samples/scripts/loopback.scan.kts", "$port"), env = env)
        assertEquals(0, loopback.code, loopback.err)
        assertTrue(Regex("""$port/tcp\s+open""").containsMatchIn(loopback.out), loopback.out)
        assertTrue("silent until spoken to" in loopback.out, loopback.out)
        val main = run(listOf(kmap, "run", "samples/scripts/scan.main.kts", "127.0.0.1", "$port"), env = env)
        assertEquals(0, main.code, main.err)
        assertEquals("127.0.0.1: open $port\n{\"host\":\"127.0.0.1\",\"open\":[$port]}\n", main.out)
    }

    @Test
    fun `bin-kmap finds the CLI jar whatever its version`() {
        // a copy of the launcher and the built CLI with the jar renamed as a version change would
        val copy = Files.createTempDirectory("kmap-launcher").toFile()
        try {
            File(root, "bin/kmap").copyTo(File(copy, "bin/kmap")).setExecutable(true)
            val target = File(copy, "cli/target").apply { mkdirs() }
            val jar = File(root, "cli/target").listFiles()!!.single { it.name.matches(Regex("cli-.*\\.jar")) && !it.name.endsWith("-sources.jar") }
            jar.copyTo(File(target, "cli-9.9.9-SNAPSHOT.jar"))
            File(root, "cli/target/lib").copyRecursively(File(target, "lib"))
            val r = run(listOf(File(copy, "bin/kmap").path, "--version"), dir = copy)
            assertEquals(0, r.code, r.err)
            assertTrue(r.out.startsWith("kmap version "), r.out)
            assertEquals("", r.err)
        } finally {
            copy.deleteRecursively()
        }
    }
}
