package dev.kmap.cli

import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabPreconditions
import org.junit.jupiter.api.Assumptions.assumeFalse
import org.junit.jupiter.api.Assumptions.assumeTrue
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * With its lab torn down, a lab address answers `unreachable` in the root namespace (the lab
 * fixture keeps an unreachable route for its blocks), and only after checking that does this
 * test scan it: kmap must report it unreachable at once. Prefix kha, 10.246.0/24, fd10:246::/64.
 */
class LabDownScanTest {
    private fun routeGet(address: String): String {
        val p = ProcessBuilder("ip", "-o", "route", "get", address).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(10, TimeUnit.SECONDS))
        return out.trim()
    }

    @Test
    fun `a scan of a lab address with the lab down fails on the spot`() {
        assumeFalse(System.getProperty("kmap.lab.skip") == "true", "lab tests disabled by -Dkmap.lab.skip=true")
        LabPreconditions.unavailableReason()?.let { assumeTrue(false, it) }
        val lab = Lab(LabConfig(prefix = "kha", hosts = 1, net4 = "10.246.0", net6 = "fd10:246::", anyIpPrefix = null))
        try {
            lab.up()
            lab.down()
            for (address in listOf(lab.host(1).ipv4, lab.host(1).ipv6)) {
                val route = routeGet(address)
                // the safety check first: never scan an address that would leave the machine
                check("No route to host" in route) { "$address is not unreachable with the lab down: $route" }
                val started = System.nanoTime()
                val r = test(listOf("-sT", "-Pn", "-n", "--reason", "-p", "22,80", address))
                val ms = (System.nanoTime() - started) / 1_000_000
                assertEquals(0, r.code, r.err)
                assertTrue(Regex("""22/tcp\s+filtered\s+ssh\s+host-unreach""").containsMatchIn(r.out), r.out)
                assertTrue(Regex("""80/tcp\s+filtered\s+http\s+host-unreach""").containsMatchIn(r.out), r.out)
                assertTrue(ms < 3_000, "$address took $ms ms")
            }
        } finally {
            lab.release()
        }
    }
}
