package dev.kmap.store.internal

import org.jetbrains.exposed.v1.core.Table

// The tables of the store, as the migrations under dev/kmap/store/migration create them: Flyway
// owns the DDL, these objects only describe it to Exposed's DSL. A column added here needs a
// migration (both dialects) and a line in SchemaTest.

internal object Scans : Table("kmap_scan") {
    val id = long("id").autoIncrement()
    val groupId = varchar("group_id", 64)
    val shardIndex = integer("shard_index")
    val shardCount = integer("shard_count")
    val planHash = varchar("plan_hash", 64)
    val status = varchar("status", 16)
    val startedAt = long("started_at")
    val finishedAt = long("finished_at").nullable()
    val heartbeatAt = long("heartbeat_at")
    val process = varchar("process", 255)
    val planJson = text("plan_json")
    val commandLine = text("command_line")
    val kmapVersion = varchar("kmap_version", 64)
    val optionsJson = text("options_json")
    val targets = text("targets")
    val targetCount = long("target_count")
    val hostsUp = long("hosts_up")
    val hostsDown = long("hosts_down")
    val hostsTotal = long("hosts_total")
    val probesSent = long("probes_sent")
    val openPorts = long("open_ports")
    val expectationsJson = text("expectations_json").nullable()
    val violationsJson = text("violations_json").nullable()
    val probesUnanswered = long("probes_unanswered").default(0)
    val reprobes = long("reprobes").default(0)
    val reprobesAnswered = long("reprobes_answered").default(0)
    val rateLowered = bool("rate_lowered").default(false)
    override val primaryKey = PrimaryKey(id)
}

internal object Hosts : Table("kmap_host") {
    val scanId = long("scan_id")
    val hostNo = integer("host_no")
    val finishSeq = integer("finish_seq").nullable()
    val position = long("position").nullable()
    val address = varchar("address", 45)
    val name = text("name").nullable()
    val status = varchar("status", 8)
    val reason = text("reason")
    val reverseName = text("reverse_name").nullable()
    val latencyMicros = long("latency_micros").nullable()
    val startedAt = long("started_at")
    val finishedAt = long("finished_at")
    val timedOut = bool("timed_out")
    val error = text("error").nullable()
    val complete = bool("complete")
    val mac = varchar("mac", 17).nullable()
    val hostnamesJson = text("hostnames_json").nullable()
    val osJson = text("os_json").nullable()
    override val primaryKey = PrimaryKey(scanId, hostNo)
}

internal object Ports : Table("kmap_port") {
    val scanId = long("scan_id")
    val hostNo = integer("host_no")
    val protocol = varchar("protocol", 4)
    val port = integer("port")
    val state = varchar("state", 16)
    val reason = text("reason")
    val service = text("service").nullable()
    val rttMicros = long("rtt_micros").nullable()
    val serviceJson = text("service_json").nullable()
    override val primaryKey = PrimaryKey(scanId, hostNo, protocol, port)
}

/** A host's plain ports, [PortChunks]-encoded: one row per host per writer commit (later ones supersede earlier ones). */
internal object PortChunkRows : Table("kmap_port_chunk") {
    val scanId = long("scan_id")
    val hostNo = integer("host_no")
    val seq = integer("seq")
    val data = binary("data")
    override val primaryKey = PrimaryKey(scanId, hostNo, seq)
}

/** Finished hosts with their ports, [HostChunks]-encoded: one row per writer commit (see V4__host_chunks.sql). */
internal object HostChunkRows : Table("kmap_host_chunk") {
    val scanId = long("scan_id")
    val firstSeq = integer("first_seq")
    val lastSeq = integer("last_seq")
    val maxHostNo = integer("max_host_no")
    val hostsUp = integer("hosts_up")
    val hostsDown = integer("hosts_down")
    val openPorts = integer("open_ports")
    val data = binary("data")
    override val primaryKey = PrimaryKey(scanId, firstSeq)
}

internal object Scripts : Table("kmap_script") {
    val scanId = long("scan_id")
    val hostNo = integer("host_no")
    val protocol = varchar("protocol", 4)
    val port = integer("port")
    val seq = integer("seq")
    val scriptId = text("script_id")
    val output = text("output")
    val elementsJson = text("elements_json").nullable()
    override val primaryKey = PrimaryKey(scanId, hostNo, protocol, port, seq)
}

internal object Checkpoints : Table("kmap_checkpoint") {
    val scanId = long("scan_id")
    val seq = integer("seq")
    val atMillis = long("at_millis")
    val position = long("position")
    val dataJson = text("data_json")
    override val primaryKey = PrimaryKey(scanId, seq)
}

internal object NetworkTimings : Table("kmap_network_timing") {
    val network = varchar("network", 64)
    val srttMicros = long("srtt_micros")
    val rttvarMicros = long("rttvar_micros")
    val loss = double("loss")
    val samples = long("samples")
    val updatedAt = long("updated_at")
    val scanId = long("scan_id").nullable()
    override val primaryKey = PrimaryKey(network)
}

/** The protocol column's value of a host script (host scripts have no port). */
internal const val HOST_SCRIPT_PROTOCOL = ""
