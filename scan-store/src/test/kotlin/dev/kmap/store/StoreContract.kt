package dev.kmap.store

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.OutputFormat
import dev.kmap.dsl.PortList
import dev.kmap.dsl.PortSet
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.Shard
import dev.kmap.engine.Host
import dev.kmap.engine.HostCheckpoint
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScanCheckpoint
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ServiceInfo
import dev.kmap.report.format.ReportFormats
import dev.kmap.report.format.ReportOptions
import dev.kmap.store.internal.ScanWriter
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.ZoneId
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** What every store (SQLite, PostgreSQL) must do; subclasses give a fresh database per test. */
abstract class StoreContract {
    abstract fun newUrl(): String

    private val settings = RecordSettings(
        commandLine = "kmap -sT -p 22,80,443,8080 --reason -v 10.252.0.11", version = "0.1.0-test", verbosity = 1,
        showReason = true, zone = "UTC", arguments = listOf("-sT", "--script-args", "user=a,password=hunter2"),
    )

    private fun record(store: ScanStore, events: List<ScanEvent> = StoreFixtures.events(), s: RecordSettings = settings): Long {
        val recorder = store.record(StoreFixtures.plan, s)
        events.forEach(recorder::event)
        recorder.close()
        assertNull(recorder.failure)
        return recorder.scanId
    }

    @Test
    fun `every result field round-trips`() {
        ScanStore.open(newUrl()).use { store ->
            val id = record(store)
            val scan = store.load(id)
            assertEquals(StoreFixtures.plan, scan.plan)
            assertEquals(StoreFixtures.stats, scan.stats)
            assertEquals(StoreFixtures.hosts, scan.hosts().toList())
            assertEquals(ScanStatus.COMPLETED, scan.summary.status)
            assertEquals(listOf("-sT", "--script-args", "user=a,password=***"), scan.settings.arguments)
            assertEquals(emptyList(), scan.unfinishedHosts())
            // learned timing: 10.252.0.11 answered (latency 95 µs, port replies 120, 95, 80, 90 µs); fd10:252::13 once (7 µs)
            val t = store.learnedTiming(dev.kmap.dsl.IpAddress.parse("10.252.0.200"))!!
            assertEquals(NetworkTiming("10.252.0.0/24", 95, 5, t.loss, 5, t.updatedAtMillis), t)
            assertEquals(7L to 1L, store.learnedTiming(dev.kmap.dsl.IpAddress.parse("fd10:252::99"))!!.let { it.srttMicros to it.samples })
            assertEquals(null, store.learnedTiming(dev.kmap.dsl.IpAddress.parse("10.253.0.1"))?.network)
            record(store)
            assertEquals(10, store.learnedTiming(dev.kmap.dsl.IpAddress.parse("10.252.0.1"))!!.samples)
        }
    }

    @Test
    fun `show re-renders every format byte for byte`() {
        ScanStore.open(newUrl()).use { store ->
            val id = record(store)
            val scan = store.load(id)
            val options = ReportOptions(
                version = settings.version, commandLine = settings.commandLine, verbosity = 1, showReason = true, zone = ZoneId.of("UTC"),
            )
            for (format in OutputFormat.entries) {
                val live = StringBuilder()
                val f = ReportFormats.create(format, options)
                for (e in StoreFixtures.events()) when (e) {
                    is ScanEvent.Started -> f.start(e.plan, e.startedAtMillis, live)
                    is ScanEvent.HostFinished -> f.host(e.result, live)
                    is ScanEvent.Finished -> f.finish(e.stats, live)
                    else -> Unit
                }
                val shown = StringBuilder()
                scan.replay(ReportFormats.create(format, scan.reportOptions), shown)
                assertEquals(live.toString(), shown.toString(), "format $format")
            }
        }
    }

    @Test
    fun `history lists scans newest first and delete removes everything`() {
        ScanStore.open(newUrl()).use { store ->
            val a = record(store)
            val b = record(store)
            val h = store.history()
            assertEquals(listOf(b, a), h.map { it.id })
            assertEquals(2, h[0].hostsUp)
            assertEquals(4, h[0].openPorts)
            assertEquals("10.252.0.11 10.252.0.12 10.252.0.13 nowhere.invalid", h[0].targets)
            assertEquals(listOf(a), store.delete(a))
            assertEquals(listOf(b), store.history().map { it.id })
            val e = assertThrows<StoreException> { store.load(a) }
            assertTrue("no scan $a" in e.message!!, e.message)
            assertEquals(StoreFixtures.hosts, store.load(b).hosts().toList())
        }
    }

    @Test
    fun `a scan that never finished keeps its ports and reads as failed`() {
        ScanStore.open(newUrl()).use { store ->
            val events = StoreFixtures.events().takeWhile { it !is ScanEvent.HostFinished } // host 1's ports only
            val id = record(store, events)
            val scan = store.load(id)
            assertEquals(ScanStatus.FAILED, scan.summary.status)
            assertTrue(scan.stats.interrupted)
            assertEquals(emptyList(), scan.hosts().toList())
            val unfinished = scan.unfinishedHosts().single()
            assertEquals(StoreFixtures.ports1.map { it.port }, unfinished.ports.map { it.port })
            assertEquals(HostStatus.UNKNOWN, unfinished.status)
        }
    }

    @Test
    fun `ports of hosts that interleave are stored with their own hosts, in finish order`() {
        ScanStore.open(newUrl()).use { store ->
            val (web, down, ssh, unresolved) = StoreFixtures.hosts
            val webPorts = StoreFixtures.ports1.map { ScanEvent.PortFound(web.host, it.copy(scripts = emptyList())) }
            val started = StoreFixtures.events().first()
            // web's ports around ssh's port and two other hosts' ends: the writer's record of the host
            // whose ports came last is handed over at each switch, and numbers stay per host
            val head = listOf(started, webPorts[0], ScanEvent.PortFound(ssh.host, ssh.ports[0]), webPorts[1]) +
                ScanEvent.HostFinished(down) + ScanEvent.HostFinished(ssh) + webPorts.drop(2)
            val id = record(store, head + ScanEvent.HostFinished(web) + ScanEvent.HostFinished(unresolved) + ScanEvent.Finished(StoreFixtures.stats))
            assertEquals(listOf(down, ssh, web, unresolved), store.load(id).hosts().toList())
            // the same, stopped before web finished: its ports are all kept for a resume
            val stopped = record(store, head + ScanEvent.Finished(StoreFixtures.stats.copy(interrupted = true)))
            val scan = store.load(stopped)
            assertEquals(listOf(down, ssh), scan.hosts().toList())
            assertEquals(StoreFixtures.ports1.map { it.port }, scan.unfinishedHosts().single().ports.map { it.port })
        }
    }

    @Test
    fun `a resumed scan continues its hosts and ends as one scan`() {
        ScanStore.open(newUrl()).use { store ->
            val all = StoreFixtures.events()
            val cut = all.indexOfFirst { it is ScanEvent.HostFinished }
            val id = record(store, all.take(cut - 2)) // some of host 1's ports, nothing finished
            val rest = store.resume(id)
            assertEquals(id, rest.scanId)
            all.drop(cut - 2).forEach(rest::event)
            rest.close()
            val scan = store.load(id)
            assertEquals(ScanStatus.COMPLETED, scan.summary.status)
            assertEquals(StoreFixtures.hosts, scan.hosts().toList())
            val e = assertThrows<StoreException> { store.resume(id) }
            assertTrue("completed" in e.message!!, e.message)
        }
    }

    @Test
    fun `a host a stopped scan cut short is shown as found and continued by a resume`() {
        ScanStore.open(newUrl()).use { store ->
            val all = StoreFixtures.events()
            val web = StoreFixtures.hosts[0]
            val cut = web.copy(ports = web.ports.take(2).map { it.copy(scripts = emptyList()) })
            // the engine stops: host 1 is reported with 2 of its 4 planned ports, the scan ends interrupted
            val stopped = all.takeWhile { it !is ScanEvent.PortFound } + all.filterIsInstance<ScanEvent.PortFound>().take(2) +
                ScanEvent.HostFinished(cut) + ScanEvent.Finished(StoreFixtures.stats.copy(interrupted = true, hostsUp = 1, hostsDown = 0))
            val id = record(store, stopped)
            val scan = store.load(id)
            assertEquals(ScanStatus.INTERRUPTED, scan.summary.status)
            assertEquals(listOf(cut), scan.hosts().toList(), "shown as the run reported it")
            assertEquals(listOf(22, 80), scan.unfinishedHosts().single().ports.map { it.port })
            // the rest of the scan, as a resume produces it: host 1's other ports, then its whole result
            val rest = store.resume(id)
            all.filterIsInstance<ScanEvent.PortFound>().drop(2).filter { it.host == web.host }.forEach(rest::event)
            all.dropWhile { it !is ScanEvent.HostFinished }.forEach(rest::event)
            rest.close()
            val done = store.load(id)
            assertEquals(ScanStatus.COMPLETED, done.summary.status)
            assertEquals(StoreFixtures.hosts.toSet(), done.hosts().toSet())
            assertEquals(emptyList(), done.unfinishedHosts())
        }
    }

    @Test
    fun `the last engine checkpoint is the resume state, with the stored results of the ports it says are decided`() {
        ScanStore.open(newUrl()).use { store ->
            val all = StoreFixtures.events()
            val web = StoreFixtures.hosts[0]
            val found = all.filterIsInstance<ScanEvent.PortFound>().filter { it.host == web.host }
            val decided = PortSet(PortList.of(*found.take(2).map { it.result.port }.toIntArray()), PortList.of())
            val early = ScanCheckpoint(0, listOf(HostCheckpoint(0, web.host, finished = false, reason = "syn-ack", decided = PortSet())))
            val last = ScanCheckpoint(0, listOf(HostCheckpoint(0, web.host, finished = false, reason = "syn-ack", decided = decided)))
            // the third port reached the store after the last checkpoint: the engine decides it again
            val events = all.takeWhile { it !is ScanEvent.PortFound } + ScanEvent.Checkpoint(early) + found.take(2) +
                ScanEvent.Checkpoint(last) + found[2]
            val id = record(store, events)
            val state = store.load(id, group = false).resumeState()
            assertEquals(last, state.checkpoint)
            assertEquals(mapOf(0L to found.take(2).map { it.result }), state.decidedPorts.mapValues { (_, v) -> v.map { it.copy(scripts = emptyList()) } })
            // none stored: the scan starts over
            val fresh = record(store, all.takeWhile { it !is ScanEvent.PortFound })
            assertEquals(ScanCheckpoint(0), store.load(fresh, group = false).resumeState().checkpoint)
        }
    }

    @Test
    fun `a port updated by a later stage is stored as updated`() {
        ScanStore.open(newUrl()).use { store ->
            val all = StoreFixtures.events()
            val first = all.filterIsInstance<ScanEvent.PortFound>().first()
            val updated = first.result.copy(service = "http-proxy")
            val i = all.indexOf(first)
            val finished = all.filterIsInstance<ScanEvent.HostFinished>().first { it.result.host == first.host }
            val events = all.take(i + 1) + ScanEvent.PortUpdated(first.host, updated) +
                all.drop(i + 1).takeWhile { it !== finished }
            val id = record(store, events)
            val port = store.load(id).unfinishedHosts().single().ports.first { it.port == first.result.port }
            assertEquals("http-proxy", port.service)
        }
    }

    @Test
    fun `plain ports are stored in chunks that later updates and rows supersede`() {
        ScanStore.open(newUrl()).use { store ->
            val h = Host(IpAddress.parse("10.252.0.11"))
            val closed = PortResult(443, Protocol.TCP, PortState.CLOSED, "conn-refused", "https", 80)
            val filtered = PortResult(8080, Protocol.TCP, PortState.FILTERED, "no-response", null, null)
            val recorder = store.record(StoreFixtures.plan)
            fun commit() = Thread.sleep(4 * ScanWriter.COMMIT_MILLIS) // the next events go into another transaction
            recorder.event(ScanEvent.Started(StoreFixtures.plan, 0, 1))
            recorder.event(ScanEvent.HostStarted(h))
            recorder.event(ScanEvent.PortFound(h, closed))
            recorder.event(ScanEvent.PortFound(h, filtered))
            commit()
            val refiltered = filtered.copy(state = PortState.CLOSED, reason = "reset", rttMicros = 3) // still plain: a later chunk
            val detected = closed.copy(serviceInfo = ServiceInfo("https", "nginx")) // no longer plain: a row
            recorder.event(ScanEvent.PortUpdated(h, refiltered))
            recorder.event(ScanEvent.PortUpdated(h, detected))
            commit()
            assertEquals(listOf(detected, refiltered), store.load(recorder.scanId).unfinishedHosts().single().ports)
            val plainAgain = detected.copy(serviceInfo = null, service = "x") // a row stays a row
            recorder.event(ScanEvent.PortUpdated(h, plainAgain))
            commit()
            assertEquals(listOf(plainAgain, refiltered), store.load(recorder.scanId).unfinishedHosts().single().ports, "what a resume starts from")
            val final = HostResult(h, HostStatus.UP, "user-set", listOf(plainAgain, refiltered.copy(rttMicros = 5)))
            recorder.event(ScanEvent.HostFinished(final))
            recorder.event(ScanEvent.Finished(StoreFixtures.stats))
            recorder.close()
            assertNull(recorder.failure)
            assertEquals(listOf(final), store.load(recorder.scanId).hosts().toList())
        }
    }

    @Test
    fun `every port of a host changed three times reads back as its last state`() {
        ScanStore.open(newUrl()).use { store ->
            val h = Host(IpAddress.parse("10.252.0.11"))
            val recorder = store.record(StoreFixtures.plan)
            recorder.event(ScanEvent.Started(StoreFixtures.plan, 0, 1))
            recorder.event(ScanEvent.HostStarted(h))
            // 3 x 65536 plain ports, more than one chunk holds (a commit takes what arrived: one or several)
            for (round in 0 until 3) {
                for (port in 0..65_535) {
                    val state = if (round == 2 && port % 7 == 0) PortState.FILTERED else PortState.CLOSED
                    val p = PortResult(port, Protocol.TCP, state, "r$round", null, round.toLong())
                    recorder.event(if (round == 0) ScanEvent.PortFound(h, p) else ScanEvent.PortUpdated(h, p))
                }
            }
            recorder.close()
            val ports = store.load(recorder.scanId).unfinishedHosts().single().ports
            assertEquals(65_536, ports.size)
            assertEquals((0..65_535).toList(), ports.map { it.port })
            assertTrue(ports.all { it.reason == "r2" && it.rttMicros == 2L })
            assertEquals((0..65_535).filter { it % 7 == 0 }, ports.filter { it.state == PortState.FILTERED }.map { it.port })
        }
    }

    @Test
    fun `hosts in chunks and hosts in rows read back in finish order, a page at a time`() {
        ScanStore.open(newUrl()).use { store ->
            // 10000 hosts (more than a chunk and than a page holds): every 7th has a script (a row),
            // every 5th had its port stored while it was scanned (a row too), the rest go into chunks
            val recorder = store.record(StoreFixtures.plan)
            recorder.event(ScanEvent.Started(StoreFixtures.plan, 0, 10_000))
            val results = (0 until 10_000).map { i ->
                val h = Host(IpAddress.parse("10.${i / 65_536}.${i / 256 % 256}.${i % 256}"))
                val open = PortResult(80, Protocol.TCP, PortState.OPEN, "syn-ack", "http", i.toLong())
                val scripts = if (i % 7 == 0) listOf(dev.kmap.engine.ScriptOutput("banner", "b$i")) else emptyList()
                if (i % 5 == 0) recorder.event(ScanEvent.PortFound(h, open))
                val down = i % 3 == 0
                HostResult(h, if (down) HostStatus.DOWN else HostStatus.UP, "r$i", if (down && i % 5 != 0) emptyList() else listOf(open), hostScripts = scripts)
            }
            Thread.sleep(4 * ScanWriter.COMMIT_MILLIS)
            results.asReversed().forEach { recorder.event(ScanEvent.HostFinished(it)) }
            val up = results.count { it.status == HostStatus.UP }.toLong()
            val deadline = System.nanoTime() + 10_000_000_000
            while (store.load(recorder.scanId).stats.hostsUp < up && System.nanoTime() < deadline) Thread.sleep(20)
            assertEquals(up, store.load(recorder.scanId).stats.hostsUp, "counted before the scan finished")
            recorder.event(ScanEvent.Finished(StoreFixtures.stats.copy(hostsUp = 6666, hostsDown = 3334)))
            recorder.close()
            assertNull(recorder.failure)
            val scan = store.load(recorder.scanId)
            val read = scan.hosts().toList()
            val expected = results.asReversed()
            val wrong = expected.indices.firstOrNull { it >= read.size || read[it] != expected[it] }
            assertTrue(read.size == expected.size && wrong == null, "${read.size} hosts read; the first wrong: $wrong, ${wrong?.let { read.getOrNull(it) }}")
            assertEquals(results.count { it.ports.isNotEmpty() }.toLong(), scan.summary.openPorts)
        }
    }

    @Test
    fun `diff reports closed, opened and changed ports and hosts`() {
        ScanStore.open(newUrl()).use { store ->
            val a = record(store)
            val changed = StoreFixtures.events().map { e ->
                if (e is ScanEvent.HostFinished && e.result.host.address.toString() == "10.252.0.11") {
                    ScanEvent.HostFinished(e.result.copy(ports = e.result.ports.map { p ->
                        when (p.port) {
                            22 -> p.copy(state = PortState.CLOSED, reason = "conn-refused", scripts = emptyList())
                            443 -> p.copy(state = PortState.OPEN, reason = "syn-ack")
                            80 -> p.copy(scripts = listOf(p.scripts[0].copy(output = "New title")))
                            8443 -> p.copy(serviceInfo = p.serviceInfo!!.copy(version = "1.24.0"))
                            else -> p
                        }
                    }))
                } else if (e is ScanEvent.HostFinished && e.result.host.address.toString() == "fd10:252::13") {
                    ScanEvent.HostFinished(e.result.copy(status = HostStatus.DOWN, ports = emptyList()))
                } else e
            }
            val b = record(store, changed)
            val d = store.diff(a, b)
            val web = d.hosts.first { it.address == "10.252.0.11" }
            assertEquals(ScanDiff.Change.CHANGED, web.change)
            assertEquals(
                listOf(
                    22 to ScanDiff.PortChange.CLOSED, 80 to ScanDiff.PortChange.CHANGED, 443 to ScanDiff.PortChange.OPENED,
                    8443 to ScanDiff.PortChange.CHANGED,
                ),
                web.ports.map { it.port to it.change },
            )
            assertEquals(listOf("http-methods", "http-title"), web.ports[1].scripts.map { it.id }.sorted().let { listOf("http-methods", "http-title").filter { id -> id in it } })
            val gone = d.hosts.first { it.address == "fd10:252::13" }
            assertEquals(ScanDiff.Change.REMOVED, gone.change)
            assertEquals("up" to "down", gone.statusA to gone.statusB)
            val text = d.toText()
            assertTrue(text.lines()[0].startsWith("-kmap 0.1.0-test scan initiated "), text)
            // ndiff's VERSION column: -sV's product and version changed on 8443
            assertTrue("-22/tcp   open   ssh\n+22/tcp   closed ssh\n" in text, text)
            assertTrue("-8443/tcp open   ssl/http nginx 1.22.1 (Debian)\n+8443/tcp open   ssl/http nginx 1.24.0 (Debian)\n" in text, text)
            assertTrue("-fd10:252::13:\n-Host is up.\n+Host is down.\n" in text, text)
            assertTrue("\"change\":\"closed\"" in d.toJson(), d.toJson())
            assertTrue(store.diff(a, a).isEmpty)
        }
    }

    @Test
    fun `processes opening one new store together migrate it once and all record`() {
        // shards started together against a new store: one migrates, the others wait and find it done
        val url = newUrl()
        val start = java.util.concurrent.CountDownLatch(1)
        val pool = java.util.concurrent.Executors.newFixedThreadPool(4)
        try {
            val runs = (1..4).map { i ->
                pool.submit<Long> {
                    start.await()
                    ScanStore.open(url).use { store ->
                        val plan = StoreFixtures.plan.copy(targets = StoreFixtures.plan.targets.copy(shard = Shard(i, 4)))
                        store.record(plan, settings).run {
                            event(ScanEvent.Started(plan, 1_000L * i, 2))
                            event(ScanEvent.HostFinished(StoreFixtures.hosts[i - 1]))
                            event(ScanEvent.Finished(StoreFixtures.stats))
                            close()
                            failure?.let { throw it }
                            scanId
                        }
                    }
                }
            }
            start.countDown()
            val ids = runs.map { it.get(60, java.util.concurrent.TimeUnit.SECONDS) }
            assertEquals(4, ids.toSet().size)
            ScanStore.open(url).use { store ->
                assertEquals(4 to 4, store.history().single().let { it.shards to it.shardCount })
                assertEquals(StoreFixtures.hosts.take(4).toSet(), ids.flatMap { store.load(it).hosts().toList() }.toSet())
            }
        } finally {
            pool.shutdownNow()
        }
    }

    @Test
    fun `shards of one plan are one scan`() {
        ScanStore.open(newUrl()).use { store ->
            val ids = (1..3).map { i ->
                val plan = StoreFixtures.plan.copy(targets = StoreFixtures.plan.targets.copy(shard = Shard(i, 3)))
                val r = store.record(plan, settings)
                r.event(ScanEvent.Started(plan, 1_000L * i, 2))
                r.event(ScanEvent.HostFinished(StoreFixtures.hosts[i - 1]))
                r.event(ScanEvent.Finished(StoreFixtures.stats.copy(startedAtMillis = 1_000L * i, hostsUp = if (i == 2) 0 else 1, hostsDown = if (i == 2) 1 else 0)))
                r.close()
                r.scanId
            }
            val h = store.history().single()
            assertEquals(ids.first(), h.id)
            assertEquals(3 to 3, h.shards to h.shardCount)
            assertEquals(ScanStatus.COMPLETED, h.status)
            val scan = store.load(ids.last())
            assertEquals(Shard.WHOLE, scan.plan.targets.shard)
            assertEquals(StoreFixtures.hosts.take(3).toSet(), scan.hosts().toSet())
            assertEquals(2, scan.stats.hostsUp)
            // a run that never started (its outputs were refused) leaves no trace
            val shard1 = StoreFixtures.plan.copy(targets = StoreFixtures.plan.targets.copy(shard = Shard(1, 3)))
            store.record(shard1, settings).close()
            assertEquals(1, store.history().size)
            // a new run of the same plan is a new scan
            val again = store.record(shard1, settings)
            again.event(ScanEvent.Started(shard1, 9_000L, 2))
            again.close()
            assertEquals(2, store.history().size)
            assertEquals(ids, store.delete(ids[1]))
        }
    }
}
