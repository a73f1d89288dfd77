package dev.kmap.engine.internal

import dev.kmap.engine.PortState
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertSame
import kotlin.test.assertTrue

/** The connect scan's verdict by errno: each kind named, shortages never a verdict, everything else "error". */
class ConnectVerdictsTest {
    @Test
    fun `each errno the kernel reports for a connect has its verdict`() {
        assertEquals(PortState.CLOSED to "conn-refused", ConnectVerdicts.ofErrno(111)!!.let { it.state to it.reason }) // ECONNREFUSED
        assertEquals(PortState.FILTERED to "host-unreach", ConnectVerdicts.ofErrno(113)!!.let { it.state to it.reason }) // EHOSTUNREACH
        assertEquals(PortState.FILTERED to "net-unreach", ConnectVerdicts.ofErrno(101)!!.let { it.state to it.reason }) // ENETUNREACH
        assertEquals(PortState.FILTERED to "no-response", ConnectVerdicts.ofErrno(110)!!.let { it.state to it.reason }) // ETIMEDOUT
        assertTrue(ConnectVerdicts.ofErrno(111)!!.hostResponded)
        assertTrue(!ConnectVerdicts.ofErrno(113)!!.hostResponded)
        // EMFILE, ENFILE, EADDRNOTAVAIL, ENOBUFS, EAGAIN, ENOMEM: back-pressure
        for (e in listOf(24, 23, 99, 105, 11, 12)) {
            assertTrue(ConnectVerdicts.isShortage(e), "errno $e")
            assertNull(ConnectVerdicts.ofErrno(e), "errno $e")
        }
        // EACCES (ICMPv6 admin-prohibited), ECONNRESET, EHOSTDOWN, EPERM (a firewall's reject), EPROTO: error
        for (e in listOf(13, 104, 112, 1, 71)) assertSame(ConnectVerdicts.ERROR, ConnectVerdicts.ofErrno(e), "errno $e")
    }

    @Test
    fun `every int gets exactly one answer, the same each time`() {
        val named = setOf(111, 113, 101, 110)
        val random = Random(12)
        val errnos = (-5..200) + List(100_000) { random.nextInt() } + listOf(Int.MIN_VALUE, Int.MAX_VALUE)
        for (e in errnos) {
            val v = ConnectVerdicts.ofErrno(e)
            assertEquals(v, ConnectVerdicts.ofErrno(e))
            when {
                ConnectVerdicts.isShortage(e) -> assertNull(v, "errno $e")
                e in named -> assertTrue(v != null && v != ConnectVerdicts.ERROR, "errno $e")
                else -> assertSame(ConnectVerdicts.ERROR, v, "errno $e")
            }
        }
    }
}
