package dev.kmap.engine.service.internal

import dev.kmap.dsl.PortList
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ServiceProbe

/**
 * nmap's `nmap-service-probes` format (https://nmap.org/book/vscan-fileformat.html), all of it:
 * `Exclude`, `Probe TCP|UDP NAME q|payload|` (with `no-payload`), `match`/`softmatch SERVICE
 * m<d>regex<d>[flags] [p/ v/ i/ h/ o/ d/ cpe:/...[a]]` with any delimiters, `ports`, `sslports`,
 * `totalwaitms`, `tcpwrappedms`, `rarity`, `fallback`. The file is read as ISO-8859-1 (its
 * patterns and payloads are bytes). A pattern java.util.regex cannot run (see [PcreTranslator])
 * is skipped and listed in [ParsedProbes.skipped]; any other fault is an error `file:line: why`.
 */
internal object NmapProbeFormat {
    fun parse(text: String, source: String): ParsedProbes {
        val probes = ArrayList<ServiceProbe>()
        val skipped = ArrayList<String>()
        var probe: ProbeDraft? = null
        var excludeTcp = PortList.EMPTY
        var excludeUdp = PortList.EMPTY
        fun close() { probe?.let { probes += it.build(source) }; probe = null }
        text.lines().forEachIndexed { index, raw ->
            val n = index + 1
            val line = raw.trimEnd('\r').trimStart()
            if (line.isBlank() || line.startsWith("#")) return@forEachIndexed
            val keyword = line.substringBefore(' ')
            val rest = line.substring(keyword.length).trim()
            fun fail(message: String): Nothing = lineError(source, n, message)
            fun needProbe(): ProbeDraft = probe ?: fail("\"$keyword\" before the first Probe line")
            fun number(range: LongRange): Long = rest.trim().toLongOrNull()?.takeIf { it in range } ?: fail("$keyword \"$rest\" is out of range (expected ${range.first}..${range.last})")
            when (keyword) {
                "Exclude" -> {
                    if (probe != null || probes.isNotEmpty()) fail("Exclude must come before the first Probe")
                    for (part in splitProtocols(rest)) {
                        val ports = try { parsePortList(part.second) } catch (e: IllegalArgumentException) { fail("Exclude: ${e.message}") }
                        if (part.first != Protocol.UDP) excludeTcp += ports
                        if (part.first != Protocol.TCP) excludeUdp += ports
                    }
                }
                "Probe" -> {
                    close()
                    val m = PROBE.matchEntire(rest) ?: fail("Probe expects TCP|UDP NAME q<d>payload<d> [no-payload] (got \"${rest.take(60)}\")")
                    val protocol = if (m.groupValues[1] == "TCP") Protocol.TCP else Protocol.UDP
                    val name = m.groupValues[2]
                    val body = m.groupValues[3]
                    val delim = body[1]
                    val end = body.indexOf(delim, 2)
                    if (end < 0) fail("Probe $name: payload has no closing $delim")
                    val tail = body.substring(end + 1).trim()
                    if (tail.isNotEmpty() && tail != "no-payload") fail("Probe $name: unexpected \"$tail\" after the payload (expected no-payload or nothing)")
                    val d = ProbeDraft(name, protocol, n)
                    d.payload = try { Escapes.unescape(body.substring(2, end)) } catch (e: IllegalArgumentException) { fail("Probe $name: ${e.message}") }
                    probe = d
                }
                "match", "softmatch" -> {
                    val p = needProbe()
                    try {
                        p.matches += parseMatch(rest, keyword == "softmatch", n, p.name, source)
                    } catch (e: SkippedPattern) {
                        skipped += "$source:$n: ${e.message}"
                    }
                }
                "ports" -> needProbe().ports = try { parsePortList(rest) } catch (e: IllegalArgumentException) { fail("ports: ${e.message}") }
                "sslports" -> needProbe().sslPorts = try { parsePortList(rest) } catch (e: IllegalArgumentException) { fail("sslports: ${e.message}") }
                "totalwaitms" -> needProbe().wait = number(1L..600_000L)
                "tcpwrappedms" -> needProbe().tcpWrapped = number(1L..600_000L)
                "rarity" -> needProbe().rarity = number(1L..9L).toInt()
                "fallback" -> needProbe().fallback += rest.split(',').map { it.trim() }.filter { it.isNotEmpty() }
                else -> fail("unknown directive \"$keyword\" (expected Exclude, Probe, match, softmatch, ports, sslports, totalwaitms, tcpwrappedms, rarity or fallback)")
            }
        }
        close()
        checkFallbacks(probes, source)
        return ParsedProbes(probes, excludeTcp, excludeUdp, skipped)
    }

    private class SkippedPattern(message: String) : Exception(message)

    private fun parseMatch(rest: String, soft: Boolean, line: Int, probe: String, source: String): dev.kmap.dsl.ServiceMatch {
        fun fail(message: String): Nothing = lineError(source, line, message)
        val service = rest.substringBefore(' ')
        var i = service.length
        while (i < rest.length && rest[i] == ' ') i++
        if (i >= rest.length || rest[i] != 'm' || i + 1 >= rest.length) fail("$service: expected m<delimiter>pattern<delimiter> after the service name")
        val delim = rest[i + 1]
        val end = rest.indexOf(delim, i + 2)
        if (end < 0) fail("$service: the pattern has no closing $delim")
        val pattern = rest.substring(i + 2, end)
        i = end + 1
        var ignoreCase = false
        var dotAll = false
        while (i < rest.length && rest[i] != ' ') {
            when (rest[i]) { 'i' -> ignoreCase = true; 's' -> dotAll = true; else -> fail("$service: unknown pattern flag \"${rest[i]}\" (expected i or s)") }
            i++
        }
        val draft = MatchDraft(service, pattern, ignoreCase, dotAll, soft, line, probe)
        while (i < rest.length) {
            while (i < rest.length && rest[i] == ' ') i++
            if (i >= rest.length) break
            val isCpe = rest.startsWith("cpe:", i)
            val key = if (isCpe) "cpe" else rest[i].toString()
            i += if (isCpe) 4 else 1
            if (i >= rest.length) fail("$service: version field $key without a value")
            val d = rest[i]
            val close = rest.indexOf(d, i + 1)
            if (close < 0) fail("$service: version field $key$d has no closing $d")
            val value = rest.substring(i + 1, close)
            i = close + 1
            if (isCpe) {
                while (i < rest.length && rest[i] != ' ') { if (rest[i] != 'a') fail("$service: unknown cpe flag \"${rest[i]}\" (expected a)"); i++ }
                draft.cpe += "cpe:/$value"
            } else {
                val field = FIELDS[key] ?: fail("$service: unknown version field \"$key\" (expected p, v, i, h, o, d or cpe:)")
                draft.fields[field] = value
            }
        }
        try {
            PcreTranslator.compile(pattern, ignoreCase, dotAll)
        } catch (e: IllegalArgumentException) {
            throw SkippedPattern("${if (soft) "softmatch" else "match"} $service: ${e.message?.lineSequence()?.first()}")
        }
        return draft.build(source)
    }

    private fun splitProtocols(text: String): List<Pair<Protocol?, String>> {
        val out = ArrayList<Pair<Protocol?, String>>()
        var current: Protocol? = null
        val buf = StringBuilder()
        for (item in text.split(',')) {
            val t = item.trim()
            val proto = when { t.startsWith("T:") -> Protocol.TCP; t.startsWith("U:") -> Protocol.UDP; else -> null }
            val ports = if (proto != null) t.substring(2) else t
            if (proto != null && proto != current) {
                if (buf.isNotEmpty()) out += current to buf.toString()
                buf.clear(); current = proto
            }
            if (ports.isNotEmpty()) { if (buf.isNotEmpty()) buf.append(','); buf.append(ports) }
        }
        if (buf.isNotEmpty()) out += current to buf.toString()
        return out
    }

    private val PROBE = Regex("(TCP|UDP)\\s+(\\S+)\\s+(q.+)")
    private val FIELDS = mapOf("p" to "product", "v" to "version", "i" to "info", "h" to "hostname", "o" to "os", "d" to "device")
}
