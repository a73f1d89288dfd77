package dev.kmap.report.format

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.report.format.internal.NmapText
import dev.kmap.report.format.internal.PortSummary
import dev.kmap.report.format.internal.Xml
import java.time.ZoneOffset
import kotlin.test.Test
import kotlin.test.assertEquals

/** nmap 7.93's rules for folded ("ignored") states, and the text helpers. */
class PortSummaryTest {
    private fun host(vararg groups: Pair<PortState, Int>): HostResult {
        var port = 1
        val ports = groups.flatMap { (state, n) -> List(n) { PortResult(port++, Protocol.TCP, state, "r") } }
        return HostResult(Host(IpAddress.parse("10.0.0.1")), HostStatus.UP, "syn-ack", ports)
    }

    private fun ignored(result: HostResult, options: ReportOptions = ReportOptions()) =
        PortSummary(result, options).ignored.map { it.state to it.count }

    @Test
    fun `a state is folded above 25 ports, above 50 with -v, never when open`() {
        assertEquals(emptyList(), ignored(host(PortState.CLOSED to 25)))
        assertEquals(listOf(PortState.CLOSED to 26), ignored(host(PortState.CLOSED to 26)))
        assertEquals(emptyList(), ignored(host(PortState.CLOSED to 50), ReportOptions(verbosity = 1)))
        assertEquals(listOf(PortState.CLOSED to 51), ignored(host(PortState.CLOSED to 51), ReportOptions(verbosity = 1)))
        assertEquals(emptyList(), ignored(host(PortState.CLOSED to 150), ReportOptions(debugging = 1))) // 25 * (0 + 1 + 5)
        assertEquals(emptyList(), ignored(host(PortState.CLOSED to 500), ReportOptions(debugging = 3)))
        assertEquals(emptyList(), ignored(host(PortState.OPEN to 1000)))
    }

    @Test
    fun `folded states are ordered by count, most first`() {
        assertEquals(listOf(PortState.FILTERED to 40, PortState.CLOSED to 30), ignored(host(PortState.CLOSED to 30, PortState.FILTERED to 40, PortState.OPEN to 2)))
    }

    @Test
    fun `--open folds every state that cannot be open, however few`() {
        val options = ReportOptions(openOnly = true)
        assertEquals(listOf(PortState.CLOSED to 1), ignored(host(PortState.OPEN to 1, PortState.CLOSED to 1, PortState.OPEN_FILTERED to 2), options))
        assertEquals(true, PortSummary.hiddenByOpenOnly(host(PortState.CLOSED to 3), options))
        assertEquals(false, PortSummary.hiddenByOpenOnly(host(PortState.OPEN_FILTERED to 3), options))
        assertEquals(emptyList(), ignored(host(PortState.OPEN_FILTERED to 100), ReportOptions(verbosity = 3)))
    }

    @Test
    fun `latencies have two significant digits, as nmap prints them`() {
        assertEquals(listOf("0.000035", "0.0000090", "0.00025", "0.0010", "0.0012", "1.5", "12"),
            listOf(35L, 9L, 250L, 1_000L, 1_234L, 1_500_000L, 12_345_678L).map(NmapText::seconds))
    }

    @Test
    fun `ctime pads the day with a space`() {
        assertEquals("Sun Nov  5 00:00:00 2023", NmapText.ctime(1_699_142_400_000L, ZoneOffset.UTC))
        assertEquals("Tue Nov 14 22:13:20 2023", NmapText.ctime(1_700_000_000_000L, ZoneOffset.UTC))
    }

    @Test
    fun `reason summaries and plurals`() {
        assertEquals("conn-refused", NmapText.reasonSummary(listOf("conn-refused" to 98)))
        assertEquals("98 no-responses, 2 host-unreaches", NmapText.reasonSummary(listOf("host-unreach" to 2, "no-response" to 98)))
        assertEquals("3 conn-refused, 1 reset", NmapText.reasonSummary(listOf("conn-refused" to 3, "reset" to 1)))
        assertEquals("echo-replies", NmapText.pluralReason("echo-reply"))
    }

    @Test
    fun `XML escaping and comments`() {
        assertEquals("a&amp;b&lt;c&gt;&quot;&apos;?x\uD83D\uDE00", Xml.escape("a&b<c>\"'\u0001x\uD83D\uDE00"))
        assertEquals("kmap -&#45;reason -&#45;-x", Xml.comment("kmap --reason ---x"))
        assertEquals("a-&#45;", Xml.comment("a--"))
    }
}
