package dev.kmap.engine.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.engine.Probe
import java.net.InetAddress
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertSame

/** The allocation-free table of probes in flight agrees with a HashMap under random puts and removes. */
class ProbeTableTest {
    private fun probe(a: IpAddress, port: Int) = Probe(InetAddress.getByAddress(a.toBytes()), port, 0, 0, 0, a)

    @Test
    fun `random operations agree with a hash map`() {
        val rnd = Random(12)
        val table = ProbeTable(16)
        val model = HashMap<Pair<IpAddress, Int>, Probe>()
        val addresses = List(40) { if (it % 4 == 0) IpAddress.parse("fd10::${it + 1}") else IpAddress.ofV4(0x0a000000 + it) } +
            IpAddress.parse("::10.0.0.1") + IpAddress.parse("10.0.0.1") // same low bits, different families
        repeat(200_000) {
            val a = addresses[rnd.nextInt(addresses.size)]
            val port = rnd.nextInt(0, 300)
            when (rnd.nextInt(3)) {
                0 -> probe(a, port).let { p -> table.put(p); model[a to port] = p }
                1 -> assertSame(model.remove(a to port), table.remove(a.high, a.low, a.isV6, port))
                else -> model[a to port]?.let { p -> if (rnd.nextBoolean()) { table.removeIf(p); model.remove(a to port) } else table.removeIf(probe(a, port)) }
            }
            assertEquals(model.size, table.size)
        }
        for ((k, p) in model) assertSame(p, table.remove(k.first.high, k.first.low, k.first.isV6, k.second))
        assertEquals(0, table.size)
        assertNull(table.remove(0, 1, false, 1))
    }
}
