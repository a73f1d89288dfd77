package dev.kmap.engine.service.internal

import java.util.regex.MatchResult

/**
 * nmap's version templates: `$1`..`$9`, `$P(n)` (printable characters of group n),
 * `$SUBST(n,"from","to")`, `$I(n,">")` (group n as an unsigned big-endian number; `<`
 * little-endian). Anything else is literal. [check] validates a template when a database is read.
 */
internal object MatchTemplate {
    fun check(template: String, groups: Int): String? {
        var i = 0
        while (i < template.length) {
            if (template[i] != '$') { i++; continue }
            val call = parseCall(template, i) ?: return "bad substitution at \"${template.substring(i).take(20)}\" (expected \$1, \$P(1), \$SUBST(1,\"a\",\"b\") or \$I(1,\">\"))"
            if (call.group > groups) return "template uses group ${call.group} but the pattern has $groups group${if (groups == 1) "" else "s"}"
            i = call.end
        }
        return null
    }

    fun apply(template: String, m: MatchResult): String {
        if ('$' !in template) return template
        val out = StringBuilder()
        var i = 0
        while (i < template.length) {
            val c = template[i]
            if (c != '$') { out.append(c); i++; continue }
            val call = parseCall(template, i)
            if (call == null) { out.append(c); i++; continue }
            val g = if (call.group <= m.groupCount()) m.group(call.group).orEmpty() else ""
            when (call.kind) {
                'n' -> out.append(g)
                'P' -> g.forEach { ch -> if (ch.code in 0x20..0x7E) out.append(ch) }
                'S' -> out.append(g.replace(call.a!!, call.b!!))
                'I' -> {
                    var v = 0L
                    val bytes = g.take(8)
                    val ordered = if (call.a == "<") bytes.reversed() else bytes
                    for (ch in ordered) v = (v shl 8) or (ch.code.toLong() and 0xFF)
                    out.append(java.lang.Long.toUnsignedString(v))
                }
            }
            i = call.end
        }
        return out.toString()
    }

    private class Call(val kind: Char, val group: Int, val a: String?, val b: String?, val end: Int)

    private fun parseCall(t: String, at: Int): Call? {
        val rest = t.substring(at + 1)
        if (rest.isNotEmpty() && rest[0] in '1'..'9') return Call('n', rest[0] - '0', null, null, at + 2)
        fun args(prefix: String): Pair<List<String>, Int>? {
            if (!rest.startsWith(prefix)) return null
            var i = at + 1 + prefix.length
            val list = ArrayList<String>()
            val digit = t.getOrNull(i)?.takeIf { it in '1'..'9' } ?: return null
            list += digit.toString(); i++
            while (i < t.length && t[i] == ' ') i++
            while (i < t.length && t[i] == ',') {
                i++
                while (i < t.length && t[i] == ' ') i++
                if (t.getOrNull(i) != '"') return null
                var end = i + 1
                while (end < t.length && t[end] != '"') end += if (t[end] == '\\') 2 else 1
                if (end >= t.length) return null
                list += runCatching { Escapes.unescape(t.substring(i + 1, end)) }.getOrElse { t.substring(i + 1, end) }
                i = end + 1
                while (i < t.length && t[i] == ' ') i++
            }
            if (t.getOrNull(i) != ')') return null
            return list to i + 1
        }
        args("P(")?.let { (a, end) -> return if (a.size == 1) Call('P', a[0].toInt(), null, null, end) else null }
        args("SUBST(")?.let { (a, end) -> return if (a.size == 3) Call('S', a[0].toInt(), a[1], a[2], end) else null }
        args("I(")?.let { (a, end) -> return if (a.size == 2 && (a[1] == ">" || a[1] == "<")) Call('I', a[0].toInt(), a[1], null, end) else null }
        return null
    }

    /**
     * A CPE component as nmap writes it after substitution: lower case, spaces as `_`, and the
     * characters CPE 2.2 reserves percent-encoded.
     */
    fun cpe(template: String, m: MatchResult): String {
        if ('$' !in template) return template
        val out = StringBuilder()
        var i = 0
        while (i < template.length) {
            val c = template[i]
            val call = if (c == '$') parseCall(template, i) else null
            if (call == null) { out.append(c); i++; continue }
            val value = apply(template.substring(i, call.end), m)
            for (ch in value) when {
                ch == ' ' -> out.append('_')
                ch in CPE_RESERVED || ch.code < 0x20 || ch.code > 0x7E -> out.append('%').append("%02x".format(ch.code and 0xFF))
                else -> out.append(ch.lowercaseChar())
            }
            i = call.end
        }
        return out.toString()
    }

    private const val CPE_RESERVED = ":/?#[]@!\$&'()*+,;=%<>\"~"
}
