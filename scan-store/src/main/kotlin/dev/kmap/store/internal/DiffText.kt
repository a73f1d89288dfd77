package dev.kmap.store.internal

import dev.kmap.store.ScanDiff
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.util.Locale

/**
 * ndiff's text layout: a `-` line for scan A and a `+` line for scan B, a blank line, then per
 * host ` HOST:` (or `-HOST:`/`+HOST:` for a host that went away or appeared), its status lines,
 * and a PORT/STATE/SERVICE table of the ports that changed, `-` for A's row and `+` for B's,
 * script output under its port as `|`/`|_` lines.
 */
internal object DiffText {
    fun render(d: ScanDiff): String = buildString {
        append('-').append(header(d.a)).append('\n')
        append('+').append(header(d.b)).append('\n')
        for (h in d.hosts) {
            append('\n')
            val title = if (h.name != null) "${h.name} (${h.address})" else h.address
            val mark = when (h.change) { ScanDiff.Change.ADDED -> '+'; ScanDiff.Change.REMOVED -> '-'; ScanDiff.Change.CHANGED -> ' ' }
            append(mark).append(title).append(":\n")
            if (h.statusA != h.statusB) {
                h.statusA?.let { append('-').append(statusLine(it)).append('\n') }
                h.statusB?.let { append('+').append(statusLine(it)).append('\n') }
            }
            if (h.ports.isNotEmpty()) table(h, mark)
            for (s in h.hostScripts) scriptLines(s)
        }
    }

    private fun StringBuilder.table(h: ScanDiff.HostDiff, mark: Char) {
        val rows = ArrayList<Pair<Char, List<String>>>()
        // ndiff's VERSION column, when either scan has versions (-sV)
        val versions = h.ports.any { p -> p.a?.version != null || p.b?.version != null }
        fun cells(name: String, s: ScanDiff.PortSide) =
            listOf(name, s.state, s.service ?: "unknown") + if (versions) listOf(s.version.orEmpty()) else emptyList()
        for (p in h.ports) {
            val name = "${p.port}/${p.protocol}"
            p.a?.let { rows += '-' to cells(name, it) }
            p.b?.let { rows += '+' to cells(name, it) }
        }
        val header = listOf("PORT", "STATE", "SERVICE") + if (versions) listOf("VERSION") else emptyList()
        val widths = header.indices.map { c -> maxOf(header[c].length, rows.maxOf { it.second[c].length }) + 1 }
        fun line(prefix: Char, cells: List<String>) {
            append(prefix)
            append(cells.mapIndexed { c, cell -> if (c == cells.lastIndex) cell else cell.padEnd(widths[c]) }.joinToString("").trimEnd())
            append('\n')
        }
        line(if (mark == ' ') ' ' else mark, header)
        var i = 0
        for (p in h.ports) {
            if (p.a != null) line(rows[i++].first, rows[i - 1].second)
            if (p.b != null) line(rows[i++].first, rows[i - 1].second)
            for (s in p.scripts) scriptLines(s)
        }
    }

    private fun StringBuilder.scriptLines(s: ScanDiff.ScriptDiff) {
        s.a?.let { scriptBlock('-', s.id, it) }
        s.b?.let { scriptBlock('+', s.id, it) }
    }

    private fun StringBuilder.scriptBlock(mark: Char, id: String, output: String) {
        val lines = output.trimEnd('\n').split('\n')
        lines.forEachIndexed { i, l ->
            val lead = if (i == lines.lastIndex) "|_" else "| "
            append(mark).append(lead).append(if (i == 0) "$id: $l" else "  $l").append('\n')
        }
    }

    private fun statusLine(status: String) = when (status) {
        "up" -> "Host is up."
        "down" -> "Host is down."
        else -> "Host state is $status."
    }

    private fun header(s: ScanDiff.Side): String =
        "kmap ${s.version} scan initiated ${ctime(s.startedAtMillis, s.zone)} as: ${s.commandLine}"

    private val CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH)

    private fun ctime(millis: Long, zone: String): String {
        val z = runCatching { ZoneId.of(zone) }.getOrDefault(ZoneId.systemDefault())
        return CTIME.format(Instant.ofEpochMilli(millis).atZone(z))
    }
}
