package dev.kmap.cli

import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** `kmap run` and the script flags: outputs, exit codes and one-line errors (loopback only). */
class ScriptsCliTest {
    @TempDir lateinit var dir: File

    private fun file(name: String, text: String) = File(dir, name).apply { writeText(text.trimIndent() + "\n") }

    @Test
    fun `kmap run runs a scan script with its arguments`() {
        val f = file("hi.scan.kts", """println("hi " + args.joinToString("+"))""")
        val r = test(listOf("run", f.path, "a", "b c"))
        assertEquals(Run("hi a+b c\n", "", 0), r)
    }

    @Test
    fun `a compile error prints file, line and column and exits 2`() {
        val f = file("bad.scan.kts", """
            println("x")
            val n: Int = "no"
        """)
        val r = test(listOf("run", f.path))
        assertEquals(2, r.code)
        assertEquals(listOf("${f.path}:2:14: Initializer type mismatch: expected 'Int', actual 'String'."), r.errLines)
    }

    @Test
    fun `a script that throws exits 1 naming its line`() {
        val f = file("throws.scan.kts", """
            val x = 1
            check(x == 2) { "x is not 2" }
        """)
        assertEquals(Run("", "kmap: ${f.path}:2: IllegalStateException: x is not 2\n", 1), test(listOf("run", f.path)))
    }

    @Test
    fun `a scan script declares a plan with a script selection and its own action, and prints the report`() {
        LoopbackPorts().use { ports ->
            val f = file("plan.scan.kts", """
                portRule { isOpen }
                action { "mine on " + port!!.port }
                val report = run(scan { targets("127.0.0.1"); ports("${'$'}{args[0]}"); connect(); skipDiscovery() })
                println(report.hosts.single().ports.single().scripts)
            """)
            val r = test(listOf("run", f.path, ports.open.toString()))
            assertEquals(Run("[ScriptOutput(id=plan, output=mine on ${ports.open}, elements=null)]\n", "", 0), r)
        }
    }

    @Test
    fun `bad script selections and arguments are one-line errors`() {
        assertEquals(
            listOf(
                "kmap: unknown script \"nosuch\" (expected a script name, glob, category or .scan.kts file; built-in: banner, http-title, http-headers, http-methods, http-robots, ssl-cert, ssl-enum-ciphers, tls-alpn, ssh-hostkey, ssh-auth-methods, ftp-anon, smtp-commands, redis-info, mysql-info, pgsql-info, memcached-info, dns-nsid, dns-recursion, ntp-info, snmp-sysdescr, vnc-info)",
                "hint: ${Hints.SCRIPTS}",
            ),
            test("-sT --script nosuch 127.0.0.1").errLines,
        )
        assertEquals(listOf("kmap: --script-args needs --script or -sC", "hint: ${Hints.SCRIPTS}"), test("-sT --script-args a=1 127.0.0.1").errLines)
        assertEquals(2, test("-sT --script banner --script-args =1 127.0.0.1").code)
        assertEquals(listOf("kmap: kmap run needs a script file", "hint: ${ScriptSupport.RUN_HINT}"), test("run").errLines)
        assertEquals(listOf("kmap: cannot read script \"${dir.path}/none.scan.kts\": no such file", "hint: ${Hints.SCRIPTS}"), test(listOf("run", "${dir.path}/none.scan.kts")).errLines)
        assertTrue(test("run --help").out.startsWith("Usage: kmap run"))
    }

    @Test
    fun `-sC is --script=default and --script-args reach the plan`() {
        LoopbackPorts().use { ports ->
            var plan: dev.kmap.dsl.ScanPlan? = null
            val r = test(listOf("-sT", "-Pn", "-p", ports.closed.toString(), "-sC", "--script=banner", "--script-args", "banner.timeout=1", "127.0.0.1")) { e ->
                if (e is dev.kmap.engine.ScanEvent.Started) plan = e.plan
            }
            assertEquals(0, r.code, r.err)
            assertEquals(
                listOf(dev.kmap.dsl.ScriptSelection("banner", mapOf("banner.timeout" to "1")), dev.kmap.dsl.ScriptSelection("default", mapOf("banner.timeout" to "1"))),
                plan!!.scripts,
            )
        }
    }

    @Test
    fun `a compile error in a --script file exits 2 before scanning`() {
        val f = file("oops.scan.kts", "portRule { isOpen }\naction { undefinedThing }")
        val r = test(listOf("-sT", "-Pn", "-p", "1", "--script", f.path, "127.0.0.1"))
        assertEquals(Run("", "${f.path}:2:10: Unresolved reference 'undefinedThing'.\n", 2), r)
    }
}
