package dev.kmap.cli

import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.RequiresLab
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.io.TempDir
import org.w3c.dom.Element
import java.io.File
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import dev.kmap.lab.PortState as LabState

/**
 * `kmap -sT -p- -oX` against nmap's own XML of the same scan of a lab host: the same ports in
 * the same states (ports folded into `<extraports>` are expanded from `<extrareasons ports=…>`),
 * and both the lab's ground truth. Packets go only to the lab, after checking the route.
 */
@RequiresLab(config = NmapComparisonLabTest.Config::class)
class NmapComparisonLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kmc", hosts = 1, net4 = "10.206.0", net6 = "fd10:206::", anyIpPrefix = null,
            ports = HostPorts(tcp = setOf(22, 80, 443, 8080, 31337, 65535), udp = emptySet(), filteredTcp = setOf(8081, 9999), filteredUdp = emptySet()),
        ).withSystemOverrides()
    }

    @TempDir
    lateinit var tmp: File

    /** Refuses to scan unless [address] routes through this lab's bridge (never the outside world). */
    private fun assertRoutesViaLab(lab: Lab, address: String) {
        val p = ProcessBuilder("ip", "-o", "route", "get", address).redirectErrorStream(true).start()
        val route = p.inputStream.bufferedReader().readText()
        p.waitFor(10, TimeUnit.SECONDS)
        check(Regex("""\bdev ${Regex.escape(lab.bridge)}\b""").containsMatchIn(route)) { "$address does not route via ${lab.bridge}: $route" }
    }

    /** port -> state of every TCP port in an nmap XML file, listed or folded. */
    private fun portStates(xml: String): Map<Int, String> {
        val doc = parseXml(xml)
        val out = HashMap<Int, String>()
        val ports = doc.getElementsByTagName("port")
        for (i in 0 until ports.length) {
            val e = ports.item(i) as Element
            out[e.getAttribute("portid").toInt()] = (e.getElementsByTagName("state").item(0) as Element).getAttribute("state")
        }
        val extra = doc.getElementsByTagName("extraports")
        for (i in 0 until extra.length) {
            val e = extra.item(i) as Element
            val reasons = e.getElementsByTagName("extrareasons")
            for (j in 0 until reasons.length) {
                for (range in (reasons.item(j) as Element).getAttribute("ports").split(',')) {
                    val (a, b) = if ('-' in range) range.split('-').map { it.toInt() } else listOf(range.toInt(), range.toInt())
                    for (port in a..b) out[port] = e.getAttribute("state")
                }
            }
        }
        return out
    }

    private fun nmap(args: List<String>): Int {
        val p = ProcessBuilder(listOf("nmap") + args).redirectErrorStream(true).redirectOutput(File(tmp, "nmap.log")).start()
        check(p.waitFor(300, TimeUnit.SECONDS)) { p.destroyForcibly(); "nmap did not finish in 300 s" }
        return p.exitValue()
    }

    @Test
    fun `kmap and nmap list the same ports and states, IPv4 and IPv6`(lab: Lab) {
        assumeTrue(listOf("/usr/bin/nmap", "/usr/local/bin/nmap").any { File(it).canExecute() }, "nmap is not installed (bin/install-deps installs it)")
        val host = lab.host(1)
        for ((address, v6) in listOf(host.ipv4 to false, host.ipv6 to true)) {
            assertRoutesViaLab(lab, address)
            val family = if (v6) listOf("-6") else emptyList()
            val nmapXml = File(tmp, "nmap-$v6.xml")
            val kmapXml = File(tmp, "kmap-$v6.xml")
            val truth = (1..65535).associateWith { p ->
                when (host.tcpState(p)) { LabState.OPEN -> "open"; LabState.FILTERED -> "filtered"; else -> "closed" }
            }
            // -n everywhere: no reverse DNS queries leave the machine
            val r = test(family + listOf("-sT", "-p-", "-n", "-T4", "-oX", kmapXml.path, address))
            assertEquals(Cli.EXIT_OK, r.code, r.err)
            val kmapText = kmapXml.readText()
            assertValidNmapXml(kmapText)
            val actual = portStates(kmapText)
            assertEquals(truth.filterValues { it != "closed" }, actual.filterValues { it != "closed" }, "kmap's open and filtered ports of $address")
            assertEquals(truth, actual, "kmap against the lab's ground truth")

            // nmap is the reference for the XML's form, not for the states: on a busy machine it may call a
            // port filtered after its retries (its -T4 gives up), so it gets up to three runs to see the truth
            var expected = emptyMap<Int, String>()
            for (attempt in 1..3) {
                assertEquals(0, nmap(family + listOf("-sT", "-p-", "-n", "-T4", "-oX", nmapXml.path, address)), File(tmp, "nmap.log").readText())
                expected = portStates(nmapXml.readText())
                assertEquals(65535, expected.size, "nmap's XML covers every port")
                if (expected == truth) break
            }
            // kmap's states equal the truth (above), so here they equal nmap's
            assumeTrue(expected == truth, "nmap missed the lab's ground truth in three runs: ${expected.filter { (p, s) -> truth[p] != s }.entries.take(10)}")
        }
    }
}
