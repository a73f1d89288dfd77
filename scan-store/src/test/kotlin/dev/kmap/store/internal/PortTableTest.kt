package dev.kmap.store.internal

import dev.kmap.dsl.Protocol
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertSame

class PortTableTest {
    private fun port(n: Int, protocol: Protocol = Protocol.TCP, reason: String = "reset") = PortResult(n, protocol, PortState.CLOSED, reason)

    @Test
    fun `put returns what the key held, for every port of both protocols`() {
        val t = PortTable()
        for (protocol in listOf(Protocol.TCP, Protocol.UDP)) for (n in 0..65_535) assertNull(t.put(port(n, protocol)))
        for (protocol in listOf(Protocol.TCP, Protocol.UDP)) {
            for (n in 0..65_535) {
                val again = port(n, protocol, "again")
                assertEquals(port(n, protocol), t.put(again))
                assertSame(again, t.put(port(n, protocol)))
            }
        }
    }

    @Test
    fun `tcp and udp of one number are two ports`() {
        val t = PortTable()
        assertNull(t.put(port(53, Protocol.TCP)))
        assertNull(t.put(port(53, Protocol.UDP)))
        assertEquals(port(53, Protocol.UDP), t.put(port(53, Protocol.UDP, "x")))
    }
}
