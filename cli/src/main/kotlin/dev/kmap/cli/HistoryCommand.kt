package dev.kmap.cli

import com.github.ajalt.clikt.core.Context
import com.github.ajalt.clikt.parameters.options.default
import com.github.ajalt.clikt.parameters.options.flag
import com.github.ajalt.clikt.parameters.options.option
import com.github.ajalt.clikt.parameters.types.int
import dev.kmap.store.ScanStore
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import java.io.PrintStream
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

/** `kmap history`: the recorded scans, newest first (the shards of a sharded scan as one line). */
internal class HistoryCommand(out: PrintStream, err: PrintStream) : StoreSubcommand("history", out, err) {
    override fun help(context: Context): String =
        "Lists the recorded scans, newest first: id, start time, status, hosts up, open ports, shards, targets. kmap show ID prints one."

    private val limit by option("-n", "--limit", metavar = "N", help = "At most N scans (default 50)").int().default(50)
    private val json by option("--json", help = "One JSON object per scan, one per line").flag()

    override fun execute(store: ScanStore): Int {
        if (limit < 1) throw UserError("--limit $limit is out of range (expected at least 1)", "kmap history -n 20")
        val scans = store.history(limit)
        if (json) {
            for (s in scans) {
                out.println(
                    Json.encodeToString(
                        kotlinx.serialization.json.JsonObject.serializer(),
                        buildJsonObject {
                            put("id", s.id); put("status", s.status.label); put("startedAtMillis", s.startedAtMillis)
                            put("finishedAtMillis", s.finishedAtMillis); put("targets", s.targets); put("hostsUp", s.hostsUp)
                            put("hostsDown", s.hostsDown); put("openPorts", s.openPorts); put("shards", s.shards); put("shardCount", s.shardCount)
                            put("group", s.groupId); put("scanIds", buildJsonArray { s.scanIds.forEach { add(kotlinx.serialization.json.JsonPrimitive(it)) } })
                            put("commandLine", s.commandLine); put("version", s.version)
                        },
                    ),
                )
            }
            return Cli.EXIT_OK
        }
        if (scans.isEmpty()) { out.println("No scans recorded yet in ${store.url}."); return Cli.EXIT_OK }
        val rows = listOf(listOf("ID", "STARTED", "STATUS", "UP", "OPEN", "SHARDS", "TARGETS")) + scans.map { s ->
            listOf(
                s.id.toString(), TIME.format(Instant.ofEpochMilli(s.startedAtMillis)), s.status.label, s.hostsUp.toString(),
                s.openPorts.toString(), if (s.shardCount == 1) "-" else "${s.shards}/${s.shardCount}", s.targets,
            )
        }
        val widths = rows[0].indices.map { c -> rows.maxOf { it[c].length } + 2 }
        for (r in rows) out.println(r.mapIndexed { c, cell -> if (c == r.lastIndex) cell else cell.padEnd(widths[c]) }.joinToString(""))
        return Cli.EXIT_OK
    }

    private companion object {
        val TIME: DateTimeFormatter = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault())
    }
}
