package dev.kmap.engine.internal

import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.code_intelligence.jazzer.junit.FuzzTest
import dev.kmap.engine.Probe
import java.net.InetAddress
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertSame

/** The fd-keyed probe table against a map as the model: random and fuzzed operations, growth, bounds. */
class ProbesByFdTest {
    private val address = InetAddress.getLoopbackAddress()
    private val probes = List(64) { Probe(address, it, 0, 0, it) }

    /** Applies one operation to [table] and to [model], and checks they agree. */
    private fun step(table: ProbesByFd, model: HashMap<Int, Probe>, op: Int, fd: Int, probe: Probe) {
        when (op) {
            0 -> if (fd in model) {
                assertFailsWith<IllegalStateException> { table.put(fd, probe) }
            } else {
                table.put(fd, probe)
                model[fd] = probe
            }
            1 -> assertSame(model.remove(fd), table.remove(fd))
            else -> assertSame(model[fd], table[fd])
        }
        assertEquals(model.size, table.size)
    }

    @Test
    fun `random operations agree with a map`() {
        val random = Random(7)
        repeat(20) {
            val table = ProbesByFd(initialSize = 1 + random.nextInt(8))
            val model = HashMap<Int, Probe>()
            repeat(5_000) {
                val fd = if (random.nextInt(10) == 0) random.nextInt(70_000) else random.nextInt(64)
                step(table, model, random.nextInt(3), fd, probes[random.nextInt(probes.size)])
            }
            val drained = ArrayList<Int>()
            table.drain { drained += it }
            assertEquals(model.keys.sorted(), drained)
            assertEquals(0, table.size)
        }
    }

    @Test
    fun `descriptors outside the table are absent, negative or past the limit refused`() {
        val table = ProbesByFd(initialSize = 4, maxFd = 100)
        assertNull(table[-1])
        assertNull(table.remove(-1))
        assertNull(table[1_000_000])
        assertFailsWith<IllegalArgumentException> { table.put(-1, probes[0]) }
        assertFailsWith<IllegalArgumentException> { table.put(101, probes[0]) }
        table.put(100, probes[1]) // grows straight to the limit
        assertSame(probes[1], table[100])
    }

    @FuzzTest
    fun fuzz(data: FuzzedDataProvider) {
        val table = ProbesByFd(initialSize = data.consumeInt(1, 16), maxFd = 1 shl 16)
        val model = HashMap<Int, Probe>()
        while (data.remainingBytes() > 0) {
            val op = data.consumeInt(0, 2)
            val fd = data.consumeInt(-2, (1 shl 16) + 2)
            if (op == 0 && fd !in 0..(1 shl 16)) {
                assertFailsWith<IllegalArgumentException> { table.put(fd, probes[0]) }
                continue
            }
            step(table, model, op, fd, probes[data.consumeInt(0, probes.size - 1)])
        }
    }
}
