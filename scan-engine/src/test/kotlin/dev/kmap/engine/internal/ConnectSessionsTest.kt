package dev.kmap.engine.internal

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** Which connect session a scan gets: native where it loads, NIO otherwise or when asked, a clear line for a bad choice. */
class ConnectSessionsTest {
    private val loads = { null }
    private val cannot = { "native connect needs 64-bit Linux" }

    @Test
    fun `native by default where it loads, NIO where it cannot`() {
        assertEquals("native", ConnectSessions.kind(null, loads))
        assertEquals("nio", ConnectSessions.kind(null, cannot))
        assertEquals("nio", ConnectSessions.kind("nio", loads))
        assertEquals("native", ConnectSessions.kind("native", loads))
    }

    @Test
    fun `native asked for where it cannot load, or an unknown kind, fails with one line`() {
        val e = assertFailsWith<IllegalStateException> { ConnectSessions.kind("native", cannot) }
        assertTrue("KMAP_CONNECT_SESSION=native: native connect needs 64-bit Linux" == e.message, e.message)
        val bad = assertFailsWith<IllegalArgumentException> { ConnectSessions.kind("epoll", loads) }
        assertEquals("KMAP_CONNECT_SESSION=epoll: expected nio or native", bad.message)
    }

    @Test
    fun `this machine has the native session`() {
        assertEquals(null, NativeConnectSession.unavailableReason)
    }
}
