package dev.kmap.cli

import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.xml.sax.ErrorHandler
import org.xml.sax.InputSource
import org.xml.sax.SAXParseException
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream
import java.io.StringReader
import java.net.InetAddress
import java.net.ServerSocket
import javax.xml.parsers.DocumentBuilderFactory
import kotlin.test.fail

/** What one `kmap` run printed and returned. */
data class Run(val out: String, val err: String, val code: Int) {
    /** stderr's lines, for exact checks of error messages. */
    val errLines: List<String> get() = err.lines().filter { it.isNotEmpty() }
}

/**
 * Runs `kmap argv` in-process with captured streams, as Main would (minus the JVM exit).
 * Scans go only to loopback in these tests.
 */
fun test(
    argv: List<String>,
    control: ScanControl = ScanControl(),
    terminal: Boolean = false,
    engine: EngineConfig = EngineConfig(progressIntervalMillis = 0),
    observer: (ScanEvent) -> Unit = {},
): Run {
    val out = ByteArrayOutputStream()
    val err = ByteArrayOutputStream()
    val code = PrintStream(out, true, Charsets.UTF_8).use { o ->
        PrintStream(err, true, Charsets.UTF_8).use { e -> Cli.run(argv, o, e, control, terminal, engine, observer) }
    }
    return Run(out.toString(Charsets.UTF_8), err.toString(Charsets.UTF_8), code)
}

/** `test("-sT -p 22 127.0.0.1")`: words split on spaces (no quoting needed in these tests). */
fun test(argv: String): Run = test(argv.split(' ').filter { it.isNotEmpty() })

/**
 * The command that runs `kmap` in a JVM of its own (to signal or kill it, as bin/kmap runs it):
 * this JVM's java and [classPath], the tests' settings (no learned timing, as in-process; the
 * store comes from `$KMAP_STORE`, which the process inherits), then [jvmOptions]; append kmap's arguments.
 */
fun kmapCommand(vararg jvmOptions: String, classPath: String = System.getProperty("java.class.path")): List<String> =
    listOf(ProcessHandle.current().info().command().get(), "-cp", classPath, "-Dkmap.store.learnTiming=false", *jvmOptions, "dev.kmap.cli.MainKt")

/**
 * `kmap ARGS` started in a JVM of its own ([kmapCommand]; serial GC and C1 only, as several may run
 * at once), with [env] added and [props] as JVM options, its output and errors to [log].
 */
fun kmapProcess(args: List<String>, env: Map<String, String> = emptyMap(), props: List<String> = emptyList(), log: File): Process {
    val command = kmapCommand("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", *props.toTypedArray()) + args
    return ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).also { it.environment().putAll(env) }.start()
}

/** A listener on 127.0.0.1 (an open port) and a port bound then freed (closed). */
class LoopbackPorts : AutoCloseable {
    private val server = ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"))
    val open: Int = server.localPort
    val closed: Int = ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")).use { it.localPort }

    override fun close() = server.close()
}

/** nmap's DTD check (the DTD is attached as its header suggests); skips only if it is absent. */
fun assertValidNmapXml(xml: String) {
    val dtd = File("/usr/share/nmap/nmap.dtd")
    assumeTrue(dtd.isFile, "nmap's DTD is not installed at $dtd (apt-get install nmap; bin/test does)")
    val withDtd = xml.replaceFirst("<!DOCTYPE nmaprun>", "<!DOCTYPE nmaprun SYSTEM \"nmap.dtd\">")
    check(withDtd != xml) { "no <!DOCTYPE nmaprun> line in:\n${xml.take(500)}" }
    val builder = DocumentBuilderFactory.newInstance().apply { isValidating = true }.newDocumentBuilder()
    builder.setEntityResolver { _, _ -> InputSource(dtd.inputStream()) }
    val errors = ArrayList<String>()
    builder.setErrorHandler(object : ErrorHandler {
        override fun warning(e: SAXParseException) {}
        override fun error(e: SAXParseException) { errors += "line ${e.lineNumber}: ${e.message}" }
        override fun fatalError(e: SAXParseException) { errors += "line ${e.lineNumber}: ${e.message}"; throw e }
    })
    builder.parse(InputSource(StringReader(withDtd)))
    if (errors.isNotEmpty()) fail("not valid against nmap.dtd:\n" + errors.joinToString("\n"))
}

fun parseXml(xml: String): org.w3c.dom.Document =
    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(InputSource(StringReader(xml)))
