package dev.kmap.cli

import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.PostgresExtension
import dev.kmap.lab.PostgresServer
import dev.kmap.lab.RequiresLab
import dev.kmap.store.ScanDiff
import dev.kmap.store.ScanStatus
import dev.kmap.store.ScanStore
import org.junit.jupiter.api.extension.ExtendWith
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.sql.DriverManager
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The store against real hosts in the lab: a diff after the lab closes a port, `kill -9` in the
 * middle of a write transaction then `--resume` (a 65535-port host and a multi-host scan) equal to
 * an uninterrupted scan, and four shard processes (Kubernetes' `JOB_COMPLETION_INDEX` contract)
 * into one PostgreSQL store equal to one process. Packets go only to the lab, after checking the route.
 */
@RequiresLab(config = StoreLabTest.Config::class)
class StoreLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kd", hosts = 2, net4 = "10.252.0", net6 = "fd10:252::", anyIpPrefix = "10.228.0.0/16",
            ports = HostPorts(tcp = setOf(22, 80, 443, 8080), udp = emptySet(), filteredTcp = setOf(8081), filteredUdp = emptySet()),
        ).withSystemOverrides()
    }

    @TempDir
    lateinit var tmp: File

    private val db get() = File(tmp, "kmap.db").path

    private fun assertRoutesViaLab(lab: Lab, address: String) {
        val p = ProcessBuilder("ip", "-o", "route", "get", address).redirectErrorStream(true).start()
        val route = p.inputStream.bufferedReader().readText()
        p.waitFor(10, TimeUnit.SECONDS)
        check(Regex("""\bdev ${Regex.escape(lab.bridge)}\b""").containsMatchIn(route)) { "$address does not route via ${lab.bridge}: $route" }
    }

    private fun nft(lab: Lab, host: Int, script: String) {
        val p = ProcessBuilder("ip", "netns", "exec", "${lab.prefix}-target$host", "nft", "-f", "-").redirectErrorStream(true).start()
        p.outputStream.use { it.write(script.toByteArray()) }
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) { "nft failed: $out" }
    }

    @Test
    fun `diff of two lab scans shows the port the lab closed`(lab: Lab) {
        val h = lab.host(1)
        assertRoutesViaLab(lab, h.ipv4)
        assertEquals(0, test("-sT -Pn -n -p 1-1024,8080-8081 --store $db ${h.ipv4}").code)
        nft(lab, 1, "table inet kdclose {\n chain input {\n  type filter hook input priority -10;\n  tcp dport 80 reject with tcp reset\n }\n}\n")
        try {
            assertRoutesViaLab(lab, h.ipv4)
            assertEquals(0, test("-sT -Pn -n -p 1-1024,8080-8081 --store $db ${h.ipv4}").code)
        } finally {
            nft(lab, 1, "delete table inet kdclose\n")
        }
        val d = ScanStore.open(db).use { it.diff(1, 2) }
        assertEquals(listOf(h.ipv4), d.hosts.map { it.address })
        assertEquals(listOf(Triple(80, ScanDiff.PortChange.CLOSED, "open" to "closed")), d.hosts[0].ports.map { Triple(it.port, it.change, it.a?.state to it.b?.state) })
        val text = test("diff 1 2 --store $db")
        assertEquals(1, text.code)
        assertEquals(
            listOf(" ${h.ipv4}:", " PORT   STATE  SERVICE", "-80/tcp open   http", "+80/tcp closed http"),
            text.out.lines().drop(3).filter { it.isNotEmpty() },
        )
    }

    /** Runs [args] in a child JVM that holds its store mid-transaction after [holdAfter] port rows, kills it -9 there; returns the scan id. */
    private fun killMidTransaction(args: List<String>, holdAfter: Int): Long {
        val marker = File(tmp, "held")
        val log = File(tmp, "killed.log")
        val p = kmapProcess(args + listOf("--store", db), props = listOf("-Dkmap.store.test.holdInTransaction=${marker.path}:$holdAfter"), log = log)
        try {
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120)
            while (!marker.exists()) {
                check(p.isAlive) { "kmap exited (${p.exitValue()}) before the store held its transaction: ${log.readText()}" }
                check(System.nanoTime() < deadline) { "the store never held its transaction: ${log.readText()}" }
                Thread.sleep(20)
            }
        } finally {
            p.destroyForcibly() // SIGKILL: no shutdown hook, no rollback, no commit
            p.waitFor(30, TimeUnit.SECONDS)
        }
        // the file is consistent: SQLite's own checks, and the scan reads as aborted
        DriverManager.getConnection("jdbc:sqlite:$db").use { c ->
            c.createStatement().use { s ->
                s.executeQuery("PRAGMA integrity_check").use { r -> r.next(); assertEquals("ok", r.getString(1)) }
                s.executeQuery("PRAGMA foreign_key_check").use { r -> assertTrue(!r.next(), "foreign keys broken") }
            }
        }
        return ScanStore.open(db).use { store ->
            val s = store.history().first()
            assertEquals(ScanStatus.ABORTED, s.status)
            val stored = store.load(s.id).let { scan -> scan.hosts().sumOf { it.ports.size } + scan.unfinishedHosts().sumOf { it.ports.size } }
            assertTrue(stored < holdAfter, "rows of the killed transaction are visible: $stored")
            s.id
        }
    }

    private fun states(id: Long): Map<String, Pair<HostStatus, Map<Int, PortState>>> = ScanStore.open(db).use { store ->
        store.load(id).hosts().associate { h -> h.host.address.toString() to (h.status to h.ports.associate { it.port to it.state }) }
    }

    @Test
    fun `kill -9 mid-transaction on a 65535-port host, then --resume, equals an uninterrupted scan`(lab: Lab) {
        val h = lab.host(1)
        assertRoutesViaLab(lab, h.ipv4)
        val args = listOf("-sT", "-Pn", "-n", "-p-", "--max-rate", "30000", "-oX", File(tmp, "resumed.xml").path, h.ipv4)
        val id = killMidTransaction(args, holdAfter = 30_000)
        assertRoutesViaLab(lab, h.ipv4)
        val resumed = test("--resume $id --store $db")
        assertEquals(0, resumed.code, resumed.err)
        assertRoutesViaLab(lab, h.ipv4)
        val whole = test("-sT -Pn -n -p- --store $db ${h.ipv4}")
        assertEquals(0, whole.code, whole.err)
        val a = states(id)
        val b = states(id + 1)
        assertEquals(b, a)
        val ports = a.getValue(h.ipv4).second
        assertEquals(65535, ports.size)
        assertEquals(h.openTcpPorts, ports.filterValues { it == PortState.OPEN }.keys)
        assertEquals(h.filteredTcpPorts, ports.filterValues { it == PortState.FILTERED }.keys)
        val xml = File(tmp, "resumed.xml").readText()
        assertValidNmapXml(xml)
        assertTrue("exit=\"success\"" in xml)
    }

    @Test
    fun `kill -9 mid-transaction in a multi-host scan, then --resume, equals an uninterrupted scan`(lab: Lab) {
        val targets = "10.228.7.0/23"
        assertRoutesViaLab(lab, "10.228.7.1")
        assertRoutesViaLab(lab, "10.228.8.254")
        val args = listOf("-sT", "-Pn", "-n", "-p", "1-100", "--max-rate", "30000", targets)
        val id = killMidTransaction(args, holdAfter = 20_000)
        assertRoutesViaLab(lab, "10.228.7.1")
        assertEquals(0, test("--resume $id --store $db").code)
        assertRoutesViaLab(lab, "10.228.7.1")
        assertEquals(0, test((listOf("-sT", "-Pn", "-n", "-p", "1-100", "--store", db, targets))).code)
        val a = states(id)
        val b = states(id + 1)
        assertEquals(512, a.size)
        assertEquals(b, a)
        assertTrue(a.values.all { (status, ports) -> status == HostStatus.UP && ports.filterValues { it == PortState.OPEN }.keys == setOf(22, 80) })
    }

    /** The (address, port 80's state) of each host of a grepable output, in its order. */
    private fun grepable(file: File): List<Pair<String, PortState>> = file.readLines().mapNotNull { line ->
        Regex("""^Host: (\S+) .*\tPorts: 80/([a-z|]+)/""").find(line)?.let { m -> m.groupValues[1] to PortState.entries.first { it.label == m.groupValues[2] } }
    }

    /** [rows] in a few words (a map of 65536 entries in a message is cut before its difference). */
    private fun summary(rows: List<Pair<String, PortState>>): String = "${rows.size} rows, ${rows.map { it.first }.toSet().size} hosts, " +
        "${rows.groupingBy { it.second }.eachCount()}, not open: ${rows.filter { it.second != PortState.OPEN }.take(5)}"

    /** How many ports of [rows] that are not open have each state and reason. */
    private fun why(rows: List<Pair<String, PortResult>>): Map<String, Int> =
        rows.filter { it.second.state != PortState.OPEN }.groupingBy { "${it.second.state.label} ${it.second.reason}" }.eachCount()

    @Test
    @ExtendWith(PostgresExtension::class)
    fun `four shard processes into PostgreSQL equal one process`(lab: Lab, pg: PostgresServer) {
        val url = pg.newDatabase("shards")
        assertRoutesViaLab(lab, "10.228.0.1")
        assertRoutesViaLab(lab, "10.228.255.254")
        // four scanners at full speed on two cores, the lab's one-thread listener and PostgreSQL
        // share the machine. This failed in CI with 259, 871 and 851 of 65536 filtered: the
        // listener stalled, its accept queue overflowed and the kernel dropped SYNs, for longer
        // than both attempts of those hosts. The probe loop now waits out such an outage. Then
        // with 19 and 4: the listener takes fewer SYNs a second than four scanners offer, and the
        // re-probes of a shard were lost in the others' flood; re-probes now go again in rounds,
        // and the scan delay settles at the pace the peer takes (see ProbeLoop and
        // TimingController; ConnectScanLabTest stalls the listener, and sweeps through a SYN
        // limiter, on purpose)
        val args = listOf("-sT", "-Pn", "-n", "-p", "80", "--seed", "7", "--max-rate", "20000", "--store", url, "10.228.0.0/16")
        val shards = (0 until 4).map { i ->
            kmapProcess(args + listOf("--shard-count", "4", "-oG", File(tmp, "shard$i.gnmap").path), env = mapOf("JOB_COMPLETION_INDEX" to "$i"), log = File(tmp, "shard$i.log"))
        }
        shards.forEachIndexed { i, p ->
            check(p.waitFor(300, TimeUnit.SECONDS)) { "shard $i did not finish" }
            val log = File(tmp, "shard$i.log").readText()
            assertEquals(0, p.exitValue(), log)
            // shards finishing together update the same networks' learned timing: no deadlock may stop a recording
            assertTrue("stopped recording" !in log, log)
        }
        assertRoutesViaLab(lab, "10.228.0.1")
        val one = test(args + listOf("-oG", File(tmp, "one.gnmap").path))
        assertEquals(0, one.code, one.err)
        assertTrue("stopped recording" !in one.err, one.err)
        // what each process reported: every target exactly once over the shards
        val reported = (0 until 4).flatMap { grepable(File(tmp, "shard$it.gnmap")) }
        assertEquals(65536, reported.map { it.first }.toSet().size, "no duplicate, no lost target: ${summary(reported)}")
        assertEquals(65536, reported.size, "no duplicate, no lost target: ${summary(reported)}")
        ScanStore.open(url).use { store ->
            val history = store.history()
            assertEquals(2, history.size)
            val group = history.first { it.shardCount == 4 }
            assertEquals(4, group.shards)
            assertEquals(ScanStatus.COMPLETED, group.status)
            val single = history.first { it.shardCount == 1 }
            val shardedPorts = store.load(group.id).hosts().map { it.host.address.toString() to it.ports.single() }.toList()
            val wholePorts = store.load(single.id).hosts().map { it.host.address.toString() to it.ports.single() }.toList()
            val sharded = shardedPorts.map { (address, port) -> address to port.state }
            val whole = wholePorts.map { (address, port) -> address to port.state }
            // the store holds what the processes reported, no more, no less
            assertEquals(65536, sharded.size, "stored of the shards: ${summary(sharded)}; reported: ${summary(reported)}")
            assertEquals(reported.toMap(), sharded.toMap(), "stored of the shards: ${summary(sharded)}; reported: ${summary(reported)}")
            val wholeReported = grepable(File(tmp, "one.gnmap"))
            assertEquals(65536, whole.size, "stored of one process: ${summary(whole)}; reported: ${summary(wholeReported)}")
            assertEquals(wholeReported.toMap(), whole.toMap(), "stored of one process: ${summary(whole)}; reported: ${summary(wholeReported)}")
            // and that is the lab's truth: port 80 open on every address
            assertTrue(sharded.all { it.second == PortState.OPEN }, "shards: ${summary(sharded)}; why: ${why(shardedPorts)}")
            assertTrue(whole.all { it.second == PortState.OPEN }, "one process: ${summary(whole)}; why: ${why(wholePorts)}")
            assertEquals(65536, group.hostsUp)
        }
        val shown = test("show 1 --store $url --format grepable")
        assertEquals(65536, shown.out.lines().count { it.endsWith("Status: Up") })
        val list = test("history --store $url")
        assertTrue(list.out.lines().any { Regex("^1 .* completed +65536 +65536 +4/4 +10\\.228\\.0\\.0/16$").matches(it) }, list.out)
    }
}
