package dev.kmap.engine.service.internal

import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ServiceDetection
import dev.kmap.dsl.ServiceNames
import dev.kmap.dsl.Timing
import dev.kmap.dsl.TimingTemplate
import dev.kmap.engine.HostResult
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ServiceInfo
import dev.kmap.engine.TlsDetails
import dev.kmap.engine.service.ServiceDatabase
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.net.InetAddress
import java.util.concurrent.atomic.AtomicInteger

/**
 * Service detection of one scan: for every open port of a host, probes from [db] are sent and
 * their replies matched, ports and hosts in parallel (at most [Settings.connections] exchanges at
 * once, on [io]), each port stopping at its first hard match.
 *
 * Beyond nmap's strict order: on TCP the banner probe (NULL) and the next probes for the port run
 * at once ([Settings.perPort] in flight), so a silent service costs one probe's wait, not a
 * banner wait plus a probe's; a reply anywhere on the port cuts the banner wait short (a banner
 * would have come first). Waits adapt to the host: before any reply [Settings.initialWaitMillis],
 * then four times the slowest first byte seen plus four round trips, at least
 * [Settings.floorMillis], at most the probe's own `totalwaitms`. A hard match without a version
 * lets the probes already in flight finish, in case one of them names the version.
 *
 * A host whose every probed port completes the handshake and then stays silent (a tarpit) is
 * recognised after [TARPIT_SILENT_PORTS] such ports and its remaining ports are not waited on.
 */
internal class ServiceScanner(
    private val db: ServiceDatabase,
    private val detection: ServiceDetection,
    timing: Timing,
    private val io: CoroutineDispatcher,
    private val budget: ServiceBudget,
    private val stopped: () -> Boolean,
) {
    class Settings(val initialWaitMillis: Long, val floorMillis: Long, val bannerWaitMillis: Long, val perPort: Int, val connections: Int)

    val settings: Settings = settingsFor(timing)

    /** Per-host state: reply latencies seen (for adaptive waits) and the tarpit verdict. */
    inner class HostState(host: HostResult, private val abandoned: () -> Boolean) {
        val address: InetAddress = InetAddress.getByAddress(host.host.address.toBytes())
        private val rttNanos: Long = (host.latencyMicros ?: 1_000) * 1_000
        @Volatile private var slowestReplyNanos = -1L
        val silentPorts = AtomicInteger()
        val talkingPorts = AtomicInteger()
        val openTcp = host.ports.count { it.protocol == Protocol.TCP && it.state == PortState.OPEN }
        @Volatile var tarpit = false

        fun sawReply(latencyNanos: Long) {
            if (latencyNanos > slowestReplyNanos) slowestReplyNanos = latencyNanos
        }

        fun waitNanos(probeWaitMillis: Long): Long {
            val cap = probeWaitMillis * MILLI
            val slowest = slowestReplyNanos
            if (slowest < 0) return minOf(cap, settings.initialWaitMillis * MILLI)
            return (4 * slowest + 4 * rttNanos).coerceIn(settings.floorMillis * MILLI, maxOf(cap, settings.floorMillis * MILLI))
        }

        fun idleGapNanos(): Long = (4 * maxOf(slowestReplyNanos, rttNanos)).coerceIn(60 * MILLI, 400 * MILLI)

        /** The scan stopped, or the host was reported without us (`--host-timeout`). */
        fun stop(): Boolean = stopped() || abandoned()

        fun portWasSilent() {
            if (silentPorts.incrementAndGet() >= TARPIT_SILENT_PORTS && talkingPorts.get() == 0 && openTcp >= TARPIT_MIN_OPEN) tarpit = true
        }
    }

    /**
     * Detects the services of [host]'s open ports; [onPort] gets each port as soon as it is decided.
     * Stops early (ports left as they are) once [abandoned] says the host no longer matters.
     */
    suspend fun detect(host: HostResult, abandoned: () -> Boolean = { false }, onPort: suspend (PortResult) -> Unit): HostResult = coroutineScope {
        val state = HostState(host, abandoned)
        val targets = host.ports.withIndex().filter { (_, p) -> wanted(p) }
        val done = targets.map { (i, p) ->
            async {
                val r = try { detectPort(state, p) } catch (e: java.io.IOException) { p }
                if (r !== p) onPort(r)
                i to r
            }
        }.awaitAll().toMap()
        host.copy(ports = host.ports.mapIndexed { i, p -> done[i] ?: p })
    }

    private fun wanted(p: PortResult): Boolean = when (p.protocol) {
        Protocol.TCP -> p.state == PortState.OPEN && p.port !in db.excludedTcp
        Protocol.UDP -> (p.state == PortState.OPEN || p.state == PortState.OPEN_FILTERED) && p.port !in db.excludedUdp
    }

    /** The probes to try on [port], in order: banner, those listing the port, the rest by rarity. */
    fun order(protocol: Protocol, port: Int, tls: Boolean): List<CompiledProbe> {
        val all = db.compiled.filter { it.probe.protocol == protocol && !(tls && it.probe.name == TLS_PROBE) }
        fun listed(c: CompiledProbe) = port in (if (tls) c.probe.sslPorts else c.probe.ports) || (tls && port in c.probe.ports)
        val banner = all.filter { it.probe.isBanner }
        val forPort = all.filter { !it.probe.isBanner && listed(it) }
        val rest = all.filter { !it.probe.isBanner && !listed(it) && it.probe.rarity <= detection.intensity }.sortedBy { it.probe.rarity }
        return banner + forPort + rest
    }

    private class Outcome(
        val hit: MatchHit?, val switchToTls: Boolean, val tcpwrapped: Boolean, val fingerprint: String?,
        val probe: String?, val waitedNanos: Long, val tls: TlsDetails?, val answered: Boolean, val trace: List<String>,
    )

    private suspend fun detectPort(state: HostState, p: PortResult): PortResult {
        val started = System.nanoTime()
        if (p.protocol == Protocol.UDP) return detectUdp(state, p, started)
        var outcome = runProbes(state, p.port, tls = false)
        var tunnel: String? = null
        if (outcome.switchToTls && !state.stop()) {
            val inside = runProbes(state, p.port, tls = true)
            tunnel = "ssl"
            outcome = Outcome(
                inside.hit, false, false, inside.fingerprint, inside.probe ?: outcome.probe,
                inside.waitedNanos, inside.tls, inside.answered, outcome.trace + inside.trace,
            )
        }
        val hit = outcome.hit
        val trace = if (detection.trace) outcome.trace else emptyList()
        val waited = (System.nanoTime() - started) / 1_000_000
        val info = when {
            hit != null -> {
                val i = hit.info
                val starttls = if (tunnel == null && i.name in StartTls.SERVICES && !state.stop()) {
                    withContext(io) { budget.send { StartTls.probe(i.name, state.address, p.port, (settings.initialWaitMillis).toInt()) } }
                } else null
                i.copy(confidence = 10, method = ServiceInfo.PROBED, tunnel = tunnel, probe = outcome.probe, waitedMillis = waited,
                    tls = outcome.tls ?: starttls, trace = trace)
            }
            // TLS, but nothing inside it matched: nmap's "ssl/unknown"
            tunnel != null -> ServiceInfo(name = if (outcome.tls != null) "unknown" else "ssl", tunnel = if (outcome.tls != null) "ssl" else null,
                confidence = 10, probe = outcome.probe, waitedMillis = waited, tls = outcome.tls, fingerprint = outcome.fingerprint, trace = trace)
            outcome.tcpwrapped -> ServiceInfo(name = "tcpwrapped", confidence = 8, probe = ServiceDatabase.NULL_PROBE, waitedMillis = waited, trace = trace)
            state.tarpit && !outcome.answered -> ServiceInfo(
                name = p.service ?: "unknown", method = ServiceInfo.TABLE, confidence = 3, extraInfo = "tarpit: accepts connections, never answers",
                waitedMillis = waited, tarpit = true, trace = trace,
            )
            else -> ServiceInfo(name = p.service ?: "unknown", method = ServiceInfo.TABLE, confidence = 3, waitedMillis = waited, fingerprint = outcome.fingerprint, trace = trace)
        }
        return p.copy(service = info.name, serviceInfo = info)
    }

    private suspend fun runProbes(state: HostState, port: Int, tls: Boolean): Outcome = coroutineScope {
        val probes = ArrayDeque(order(Protocol.TCP, port, tls))
        class Done(val probe: CompiledProbe, val ex: Exchange, val control: ExchangeControl)
        val results = Channel<Done>(Channel.UNLIMITED)
        val running = HashMap<CompiledProbe, ExchangeControl>()
        val trace = ArrayList<String>()
        var soft: MatchHit? = null
        var candidate: MatchHit? = null
        var decided: MatchHit? = null
        var switchToTls = false
        var fingerprint: String? = null
        var fingerprintLength = 0
        var tlsDetails: TlsDetails? = null
        var answered = false
        var closedSilently = 0
        var silent = 0
        var bannerClosedEarly = false
        var countedSilent = false
        var decidedBy: String? = null
        val start = System.nanoTime()
        fun launchNext(): Boolean {
            while (probes.isNotEmpty()) {
                val c = probes.removeFirst()
                val s = soft
                if (s != null && !c.probe.isBanner && c.matches.none { it.match.service == s.info.name && !it.match.soft }) continue
                val wait = if (c.probe.isBanner) minOf(c.probe.totalWaitMillis, settings.bannerWaitMillis) * MILLI else state.waitNanos(c.probe.totalWaitMillis)
                val control = ExchangeControl(System.nanoTime() + wait)
                running[c] = control
                launch(io) {
                    val ex = budget.send {
                        control.begin()
                        if (state.tarpit || state.stop()) Exchange("", -1, false, false, false, 0)
                        else Exchanges.tcp(state.address, port, c.probe.payload, tls, control, (wait / MILLI).toInt().coerceAtLeast(100), state.idleGapNanos()) { text ->
                            val h = ReplyMatcher.match(c, text, skipSoft = true)
                            h != null && !h.soft
                        }
                    }
                    results.trySend(Done(c, ex, control))
                }
                return true
            }
            return false
        }
        while (true) {
            while (decided == null && candidate == null && !switchToTls && running.size < settings.perPort && !state.tarpit && !state.stop()) {
                if (!launchNext()) break
            }
            if (running.isEmpty()) break
            val d = results.receive()
            running.remove(d.probe)
            val ex = d.ex
            if (ex.tls != null) tlsDetails = ex.tls
            if (!ex.connected && ex.refused) { running.values.forEach { it.cancelled = true }; break }
            if (ex.answered) {
                answered = true
                state.sawReply(ex.latencyNanos)
                // a banner comes first on every connection: with a reply here, it is not coming on the banner probe's either
                val grace = System.nanoTime() + state.idleGapNanos()
                running.forEach { (c, ctl) -> if (c.probe.isBanner) ctl.shortenTo(grace) }
                val hit = ReplyMatcher.match(d.probe, ex.reply, onlyService = soft?.info?.name?.takeIf { !d.probe.probe.isBanner })
                    ?: if (soft != null) ReplyMatcher.match(d.probe, ex.reply) else null
                if (trace.size < MAX_TRACE) trace += traceLine(d.probe, tls, ex, hit)
                when {
                    // the fingerprint of an unknown service keeps the longest reply seen (a drip's first byte says little)
                    hit == null -> if (ex.reply.length > fingerprintLength) { fingerprintLength = ex.reply.length; fingerprint = "${d.probe.probe.name}:" + Escapes.escape(ex.reply, 200) }
                    hit.info.name == "ssl" || hit.info.name == "tls" -> if (!tls) { switchToTls = true; decidedBy = d.probe.probe.name; running.values.forEach { it.cancelled = true } }
                    hit.soft -> if (soft == null) soft = hit
                    hit.hasVersion || running.isEmpty() -> { decided = better(candidate, hit); decidedBy = credit(d.probe, decided!!); running.values.forEach { it.cancelled = true } }
                    else -> {
                        candidate = better(candidate, hit)
                        // a hard match without a version: the probes in flight get a short grace to name it
                        val grace = System.nanoTime() + state.idleGapNanos()
                        running.values.forEach { it.shortenTo(grace) }
                    }
                }
            } else {
                if (trace.size < MAX_TRACE) trace += traceLine(d.probe, tls, ex, null)
                if (ex.closedByPeer) {
                    closedSilently++
                    if (d.probe.probe.isBanner && ex.elapsedNanos < d.probe.probe.tcpWrappedMillis * MILLI) bannerClosedEarly = true
                } else if (ex.connected && !d.control.cancelled) {
                    silent++
                    // a first wave of probes accepted and unanswered: count the port towards a tarpit now, not after every probe
                    if (silent == minOf(settings.perPort, 2) && !answered) { countedSilent = true; state.portWasSilent() }
                }
            }
            if (state.stop() || state.tarpit) { running.values.forEach { it.cancelled = true } }
        }
        val final = decided ?: candidate ?: soft
        if (final != null && decidedBy == null) decidedBy = final.info.probe
        if (!answered && !switchToTls && silent >= 2 && !countedSilent) state.portWasSilent() else if (answered) state.talkingPorts.incrementAndGet()
        Outcome(
            hit = final, switchToTls = switchToTls, tcpwrapped = final == null && !answered && bannerClosedEarly && silent == 0,
            fingerprint = if (final == null) fingerprint else null, probe = decidedBy, waitedNanos = System.nanoTime() - start,
            tls = tlsDetails, answered = answered, trace = trace,
        )
    }

    private suspend fun detectUdp(state: HostState, p: PortResult, started: Long): PortResult = coroutineScope {
        val probes = ArrayDeque(order(Protocol.UDP, p.port, tls = false))
        val trace = ArrayList<String>()
        class Done(val probe: CompiledProbe, val ex: Exchange)
        val results = Channel<Done>(Channel.UNLIMITED)
        val running = HashMap<CompiledProbe, ExchangeControl>()
        var hit: MatchHit? = null
        var by: String? = null
        var fingerprint: String? = null
        var fingerprintLength = 0
        var answered = false
        var closed = false
        var decided = false
        while (true) {
            while (!decided && !closed && running.size < settings.perPort && probes.isNotEmpty() && !state.stop()) {
                val c = probes.removeFirst()
                val control = ExchangeControl(System.nanoTime() + state.waitNanos(c.probe.totalWaitMillis))
                running[c] = control
                launch(io) { results.trySend(Done(c, budget.send { control.begin(); Exchanges.udp(state.address, p.port, c.probe.payload, control) })) }
            }
            if (running.isEmpty()) break
            val d = results.receive()
            running.remove(d.probe)
            val ex = d.ex
            if (ex.refused) { closed = true; running.values.forEach { it.cancelled = true } }
            if (!ex.answered) { if (trace.size < MAX_TRACE) trace += traceLine(d.probe, false, ex, null); continue }
            answered = true
            state.sawReply(ex.latencyNanos)
            val h = ReplyMatcher.match(d.probe, ex.reply)
            if (trace.size < MAX_TRACE) trace += traceLine(d.probe, false, ex, h)
            if (h == null) { if (ex.reply.length > fingerprintLength) { fingerprintLength = ex.reply.length; fingerprint = "${d.probe.probe.name}:" + Escapes.escape(ex.reply, 200) }; continue }
            val current = hit
            if (current == null || (current.soft && !h.soft) || (!h.soft && h.hasVersion && !current.hasVersion)) { hit = h; by = d.probe.probe.name }
            if (!h.soft && (h.hasVersion || running.isEmpty())) { decided = true; running.values.forEach { it.cancelled = true } } else if (!h.soft) running.values.forEach { it.shortenTo(System.nanoTime() + state.idleGapNanos()) }
        }
        val waited = (System.nanoTime() - started) / 1_000_000
        val t = if (detection.trace) trace.toList() else emptyList()
        val h = hit
        val info = if (h != null) h.info.copy(method = ServiceInfo.PROBED, confidence = 10, probe = by, waitedMillis = waited, trace = t)
        else ServiceInfo(name = p.service ?: ServiceNames.name(Protocol.UDP, p.port) ?: "unknown", method = ServiceInfo.TABLE, confidence = 3,
            waitedMillis = waited, fingerprint = fingerprint, trace = t)
        val newState = if (answered) PortState.OPEN else p.state
        p.copy(state = newState, reason = if (answered && p.state != PortState.OPEN) "udp-response" else p.reason, service = info.name, serviceInfo = info)
    }

    /**
     * The probe to credit with [hit], seen in the reply to [probe]: a rule of the banner probe
     * matched what the service sends unasked on every connection, so the banner probe is named.
     */
    private fun credit(probe: CompiledProbe, hit: MatchHit): String {
        if (probe.probe.isBanner || hit.match in probe.matches) return probe.probe.name
        return db.compiled.firstOrNull { it.probe.isBanner && it.probe.protocol == probe.probe.protocol && hit.match in it.matches }?.probe?.name
            ?: probe.probe.name
    }

    private fun better(a: MatchHit?, b: MatchHit): MatchHit = when {
        a == null -> b
        b.hasVersion && !a.hasVersion -> b
        a.info.product == null && b.info.product != null -> b
        else -> a
    }

    private fun traceLine(c: CompiledProbe, tls: Boolean, ex: Exchange, hit: MatchHit?): String {
        val what = when {
            !ex.connected -> if (ex.refused) "refused" else "no connection"
            ex.answered -> "${ex.reply.length} bytes \"${Escapes.escape(ex.reply, 80)}\""
            ex.closedByPeer -> "closed without data"
            else -> "no reply"
        }
        val matched = hit?.let { h -> " -> ${if (h.soft) "softmatch" else "match"} ${h.info.name}${h.info.product?.let { " $it" } ?: ""}${h.info.version?.let { " $it" } ?: ""} (${h.match.match.source ?: "?"})" } ?: ""
        return "${if (tls) "ssl/" else ""}${c.probe.name} sent ${c.probe.payload.length} bytes, waited ${ex.elapsedNanos / 1_000_000} ms: $what$matched"
    }

    companion object {
        /** Waits and parallelism per timing template (`--max-parallelism` caps both). */
        fun settingsFor(timing: Timing): Settings {
            val s = when (timing.template) {
                TimingTemplate.T0, TimingTemplate.T1, TimingTemplate.T2 -> Settings(6_000, 1_000, 6_000, 1, 8)
                TimingTemplate.T3 -> Settings(2_000, 300, 3_000, 3, 64)
                TimingTemplate.T4 -> Settings(1_500, 200, 2_000, 4, 128)
                TimingTemplate.T5 -> Settings(800, 100, 1_000, 6, 256)
            }
            val max = timing.maxParallelism ?: return s
            return Settings(s.initialWaitMillis, s.floorMillis, s.bannerWaitMillis, minOf(s.perPort, max), max.coerceAtLeast(1))
        }

        private const val MILLI = 1_000_000L
        const val TLS_PROBE = "TLSSessionReq"
        const val TARPIT_SILENT_PORTS = 6
        const val TARPIT_MIN_OPEN = 10
        const val MAX_TRACE = 64
    }
}
