package dev.kmap.store.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.OsMatch
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput
import dev.kmap.engine.ServiceInfo
import kotlinx.serialization.builtins.ListSerializer
import kotlinx.serialization.builtins.serializer
import kotlinx.serialization.json.Json
import org.jetbrains.exposed.v1.core.ResultRow

/** How result values are spelled in the tables (the words of nmap's XML, readable in SQL). */
internal object Codes {
    const val SCANNING = "scanning"

    /** One port of a host as a number: protocol and port, unique per host (a map key, a bit index). */
    fun portKey(p: PortResult): Int = (p.protocol.ordinal shl 16) or p.port

    fun status(s: HostStatus): String = when (s) { HostStatus.UP -> "up"; HostStatus.DOWN -> "down"; HostStatus.UNKNOWN -> "unknown" }

    fun hostStatus(text: String): HostStatus? = when (text) {
        "up" -> HostStatus.UP; "down" -> HostStatus.DOWN; "unknown" -> HostStatus.UNKNOWN; else -> null
    }

    fun protocol(p: Protocol): String = p.label

    private val protocols = Protocol.entries.associateBy { it.label }
    fun protocol(text: String): Protocol = protocols[text] ?: error("unknown protocol \"$text\" in the store")

    private val states = PortState.entries.associateBy { it.label }
    fun state(text: String): PortState = states[text] ?: error("unknown port state \"$text\" in the store")

    private val json = Json
    fun elements(t: ScriptElement.Table?): String? = t?.let { json.encodeToString(ScriptElement.Table.serializer(), it) }
    fun elements(text: String?): ScriptElement.Table? = text?.let { json.decodeFromString(ScriptElement.Table.serializer(), it) }

    private val names = ListSerializer(String.serializer())
    private val osMatches = ListSerializer(OsMatch.serializer())
    fun hostnames(list: List<String>): String? = if (list.isEmpty()) null else json.encodeToString(names, list)
    fun hostnames(text: String?): List<String> = text?.let { json.decodeFromString(names, it) }.orEmpty()
    fun os(list: List<OsMatch>): String? = if (list.isEmpty()) null else json.encodeToString(osMatches, list)
    fun os(text: String?): List<OsMatch> = text?.let { json.decodeFromString(osMatches, it) }.orEmpty()
    fun service(s: ServiceInfo?): String? = s?.let { json.encodeToString(ServiceInfo.serializer(), it) }
    fun service(text: String?): ServiceInfo? = text?.let { json.decodeFromString(ServiceInfo.serializer(), it) }
}

/** A host row as the writer holds it until the next commit. */
internal class HostRow(
    val hostNo: Int,
    val host: Host,
    var finishSeq: Int?,
    var status: String,
    var reason: String,
    var reverseName: String?,
    var latencyMicros: Long?,
    var startedAt: Long,
    var finishedAt: Long,
    var timedOut: Boolean,
    var error: String?,
    var complete: Boolean,
    var position: Long? = null,
    var mac: String? = null,
    var hostnamesJson: String? = null,
    var osJson: String? = null,
) {
    fun finish(r: HostResult, seq: Int, complete: Boolean) {
        this.complete = complete
        finishSeq = seq
        status = Codes.status(r.status)
        reason = r.reason
        reverseName = r.reverseName
        latencyMicros = r.latencyMicros
        startedAt = r.startedAtMillis
        finishedAt = r.finishedAtMillis
        timedOut = r.timedOut
        error = r.error
        mac = r.mac
        hostnamesJson = Codes.hostnames(r.hostnames)
        osJson = Codes.os(r.os)
    }

    companion object {
        fun provisional(hostNo: Int, host: Host, now: Long) =
            HostRow(hostNo, host, null, Codes.SCANNING, "", null, null, now, now, false, null, complete = false)

        fun of(hostNo: Int, r: HostResult, seq: Int, complete: Boolean) =
            HostRow(hostNo, r.host, null, "", "", null, null, 0, 0, false, null, complete).also { it.finish(r, seq, complete) }
    }
}

internal class PortRow(val hostNo: Int, val result: PortResult)

internal class ChunkRow(val hostNo: Int, val seq: Int, val data: ByteArray)

internal class HostChunkRow(
    val firstSeq: Int,
    val lastSeq: Int,
    val maxHostNo: Int,
    val hostsUp: Int,
    val hostsDown: Int,
    val openPorts: Int,
    val data: ByteArray,
    /** The ports in [data] (not stored: the writer's count). */
    val ports: Int = 0,
)

internal class ScriptRow(val hostNo: Int, val protocol: String, val port: Int, val seq: Int, val script: ScriptOutput)

/** Reading rows back into the result model. */
internal object RowReader {
    fun host(row: ResultRow, ports: List<PortResult>, hostScripts: List<ScriptOutput>): HostResult = HostResult(
        host = Host(IpAddress.parse(row[Hosts.address]), StoredText.decodeOrNull(row[Hosts.name])),
        status = Codes.hostStatus(row[Hosts.status]) ?: HostStatus.UNKNOWN,
        reason = StoredText.decode(row[Hosts.reason]),
        ports = ports,
        reverseName = StoredText.decodeOrNull(row[Hosts.reverseName]),
        latencyMicros = row[Hosts.latencyMicros],
        startedAtMillis = row[Hosts.startedAt],
        finishedAtMillis = row[Hosts.finishedAt],
        timedOut = row[Hosts.timedOut],
        error = StoredText.decodeOrNull(row[Hosts.error]),
        hostScripts = hostScripts,
        mac = row[Hosts.mac],
        hostnames = Codes.hostnames(row[Hosts.hostnamesJson]),
        os = Codes.os(row[Hosts.osJson]),
    )

    fun port(row: ResultRow, scripts: List<ScriptOutput>): PortResult = PortResult(
        port = row[Ports.port],
        protocol = Codes.protocol(row[Ports.protocol]),
        state = Codes.state(row[Ports.state]),
        reason = StoredText.decode(row[Ports.reason]),
        service = StoredText.decodeOrNull(row[Ports.service]),
        rttMicros = row[Ports.rttMicros],
        scripts = scripts,
        serviceInfo = Codes.service(row[Ports.serviceJson]),
    )

    fun script(row: ResultRow): ScriptOutput = ScriptOutput(
        id = StoredText.decode(row[Scripts.scriptId]),
        output = StoredText.decode(row[Scripts.output]),
        elements = Codes.elements(row[Scripts.elementsJson]),
    )
}
