package dev.kmap.cli

import kotlin.test.Test
import kotlin.test.assertEquals

class NmapArgsTest {
    private fun n(argv: String) = NmapArgs.normalize(argv.split(' ')).joinToString(" ")

    @Test
    fun `glued nmap values become options the parser knows`() {
        assertEquals("--ping-syn=22,443 --ping-ack=80 --ping-udp=40125", n("-PS22,443 -PA -PU"))
        assertEquals("--timing=4 -p 22", n("-T4 -p 22"))
        assertEquals("-v -v -v -d -d", n("-v3 -d2"))
        assertEquals("-vv -d", n("-vv -d"))
    }

    @Test
    fun `option values and words after -- pass unchanged`() {
        assertEquals("-oX -PS.xml -iL -T4 -- -v3", n("-oX -PS.xml -iL -T4 -- -v3"))
    }

    @Test
    fun `unknown options are named as typed, clusters and glued values are not unknown`() {
        val known = setOf("-sT", "-v", "-n", "-p", "--reason", "-oX")
        assertEquals("-sC", NmapArgs.unknownOption(listOf("-sT", "-sC", "x"), known))
        assertEquals(null, NmapArgs.unknownOption(listOf("-vv", "-nv", "-p22", "-p", "-weird-value", "-oX", "-", "--reason"), known))
        assertEquals("--bogus", NmapArgs.unknownOption(listOf("--bogus=1"), known))
        assertEquals(null, NmapArgs.unknownOption(listOf("--", "-zzz"), known))
        assertEquals("--reason", NmapArgs.closest("--reson", known))
        assertEquals(null, NmapArgs.closest("--completely-else", known))
    }
}
