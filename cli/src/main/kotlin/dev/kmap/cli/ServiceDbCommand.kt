package dev.kmap.cli

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.Protocol
import dev.kmap.engine.service.ServiceDatabase
import java.io.File
import java.io.PrintStream

/**
 * `kmap service-db test FILE REPLIES`: reads a probe database (kmap's format or nmap's) and
 * matches recorded replies against it, offline. REPLIES has one reply per line:
 *
 * ```text
 * # PROBE [tcp|udp] "reply with C escapes" [=> SERVICE [| PRODUCT [| VERSION]]]
 * NULL "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n" => ssh | OpenSSH | 9.2p1
 * DNSVersionBindReq udp "KM\x85\x80..." => domain | dnsmasq | 2.90
 * ```
 *
 * Each line prints what matched and the rule's `file:line`; exit 0 when every expectation
 * holds, 3 when one does not, 2 for a bad file.
 */
internal object ServiceDbCommand {
    private const val USAGE = "kmap service-db test FILE REPLIES   (FILE: kmap or nmap probe database, \"nmap\" for nmap's installed one)"

    fun run(args: List<String>, out: PrintStream, err: PrintStream): Int {
        if (args.firstOrNull() in setOf("-h", "--help", null)) {
            out.println("Usage: $USAGE")
            out.println("REPLIES: one recorded reply per line: PROBE [tcp|udp] \"bytes with C escapes\" [=> SERVICE [| PRODUCT [| VERSION]]]")
            return if (args.isEmpty()) Cli.EXIT_USAGE else Cli.EXIT_OK
        }
        if (args[0] != "test" || args.size != 3) throw UserError("kmap service-db: expected test FILE REPLIES (got ${args.joinToString(" ")})", USAGE)
        val db = try { ServiceDatabase.read(args[1]) } catch (e: InvalidSpecException) { throw UserError(e.message ?: "bad database", USAGE) }
        val repliesFile = File(args[2])
        val lines = try { repliesFile.readLines(Charsets.ISO_8859_1) } catch (e: java.io.IOException) {
            throw UserError("cannot read replies file \"${args[2]}\": ${if (!repliesFile.exists()) "no such file" else e.message}", USAGE)
        }
        out.println("${args[1]}: ${db.probes.size} probes, ${db.probes.sumOf { it.matches.size }} rules" + if (db.skipped.isEmpty()) "" else ", ${db.skipped.size} skipped (PCRE java.util.regex cannot run)")
        db.skipped.forEach { out.println("  skipped: $it") }
        var failed = 0
        var checked = 0
        for ((i, raw) in lines.withIndex()) {
            val line = raw.trim()
            if (line.isEmpty() || line.startsWith("#")) continue
            val where = "${args[2]}:${i + 1}"
            val r = REPLY.matchEntire(line) ?: throw UserError("$where: expected PROBE [tcp|udp] \"reply\" [=> SERVICE [| PRODUCT [| VERSION]]]", USAGE)
            val probe = r.groupValues[1]
            val protocol = if (r.groupValues[2] == "udp") Protocol.UDP else Protocol.TCP
            val bytes = try { unescape(r.groupValues[3]) } catch (e: IllegalArgumentException) { throw UserError("$where: ${e.message}", USAGE) }
            val expect = r.groupValues[4].takeIf { it.isNotBlank() }?.split('|')?.map { it.trim() }
            val info = try { db.match(probe, protocol, bytes) } catch (e: InvalidSpecException) { throw UserError("$where: ${e.message}", USAGE) }
            val found = info?.let { listOfNotNull(it.name, it.product, it.version).joinToString(" | ") } ?: "no match"
            val source = info?.let { db.matchSource(probe, protocol, bytes) }
            val verdict = if (expect == null) "" else {
                checked++
                val actual = listOf(info?.name, info?.product, info?.version)
                val ok = info != null && expect.indices.all { k -> expect[k] == (actual.getOrNull(k) ?: "") }
                if (ok) " ok" else { failed++; " FAILED (expected ${expect.joinToString(" | ")})" }
            }
            out.println("$where: $probe: $found${source?.let { " ($it)" } ?: ""}$verdict")
        }
        if (checked > 0) out.println("$checked checked, ${checked - failed} as expected, $failed not")
        return if (failed > 0) Cli.EXIT_VIOLATED else Cli.EXIT_OK
    }

    private val REPLY = Regex("""(\S+)(?:\s+(tcp|udp))?\s+"((?:[^"\\]|\\.)*)"\s*(?:=>\s*(.*))?""")

    private fun unescape(text: String): ByteArray {
        val out = java.io.ByteArrayOutputStream()
        var i = 0
        while (i < text.length) {
            val c = text[i]
            if (c != '\\') { out.write(c.code and 0xFF); i++; continue }
            require(i + 1 < text.length) { "a backslash at the end of the reply" }
            when (val e = text[i + 1]) {
                'r' -> out.write(13); 'n' -> out.write(10); 't' -> out.write(9); '0' -> out.write(0); '\\' -> out.write(92); '"' -> out.write(34)
                'x' -> { val h = text.substring(i + 2, minOf(text.length, i + 4)); out.write(h.toIntOrNull(16)?.takeIf { h.length == 2 } ?: throw IllegalArgumentException("bad escape \\x$h (expected two hex digits)")); i += 2 }
                else -> throw IllegalArgumentException("unknown escape \\$e (expected \\r \\n \\t \\0 \\\\ \\\" \\xHH)")
            }
            i += 2
        }
        return out.toByteArray()
    }
}
