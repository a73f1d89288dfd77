package dev.kmap.cli

import dev.kmap.cli.SelfTest.Check
import dev.kmap.cli.SelfTest.Outcome
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import kotlin.test.Test
import kotlin.test.assertEquals

class SelfTestTest {
    private fun run(vararg checks: Check): Pair<Int, String> {
        val bytes = ByteArrayOutputStream()
        val code = SelfTest(checks.toList()).run(PrintStream(bytes, true))
        return code to bytes.toString()
    }

    @Test
    fun `one line per check, essential failures decide the exit code`() {
        val (code, out) = run(
            Check("privileges", essential = false) { Outcome.Fail("uid 1000 without CAP_NET_RAW", "run with sudo") },
            Check("dns", essential = true) { Outcome.Pass("localhost resolves to 127.0.0.1") },
            Check("database", essential = false) { Outcome.Skip("not configured yet") },
        )
        assertEquals(0, code)
        assertEquals(
            """
            FAIL privileges: uid 1000 without CAP_NET_RAW [not needed for -sT] (hint: run with sudo)
            PASS dns: localhost resolves to 127.0.0.1
            SKIP database: not configured yet
            self-test: 1 passed, 1 failed, 1 skipped; every essential check passed
            """.trimIndent() + "\n",
            out,
        )
    }

    @Test
    fun `an essential failure or a crashing check fails the self-test`() {
        val (code, out) = run(Check("loopback", essential = true) { error("boom") })
        assertEquals(1, code)
        assertEquals(
            "FAIL loopback: IllegalStateException: boom (hint: unexpected error; rerun, or report it with this line)\n" +
                "self-test: 0 passed, 1 failed, 0 skipped; 1 essential check(s) failed\n",
            out,
        )
    }
}
