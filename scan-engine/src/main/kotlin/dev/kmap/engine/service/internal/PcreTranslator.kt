package dev.kmap.engine.service.internal

import java.util.regex.Pattern
import java.util.regex.PatternSyntaxException

/**
 * nmap's match patterns are PCRE (8.x, no UTF mode) over bytes; kmap runs them with
 * java.util.regex over the reply's bytes as ISO-8859-1 characters. What differs, and how it is
 * bridged here:
 *
 * - Lines: PCRE's `.` and `$` know only `\n` as a line end; Java knows `\r\n`, U+0085, U+2028
 *   too (U+0085 is a byte in a reply). Compiled with [Pattern.UNIX_LINES], Java agrees.
 * - Character classes: `[` inside a class is literal in PCRE, a nested class in Java; `&&` is
 *   intersection in Java. Both are escaped. POSIX classes (`[:alpha:]`) become `\p{Alpha}`.
 *   In a class, `\b` is a backspace in PCRE.
 * - Escapes: PCRE's `\0`, `\0nn` (octal) and `\x`/`\xh` (zero or one hex digit) become `\xhh`;
 *   an unknown letter escape (`\i`, `\y`) is that letter in PCRE, an error in Java.
 * - `{` that does not start a quantifier (`{,3}`, `{foo}`) is literal in PCRE, an error in Java.
 * - `(?#...)` comments are dropped; `(?P<n>..)` / `(?P=n)` become Java's `(?<n>..)` / `\k<n>`,
 *   group names lose characters Java does not allow (`_`).
 * - Not supported by Java at all, reported as errors: recursion (`(?R)`, `(?1)`, `(?P>n)`),
 *   conditionals (`(?(`), branch reset (`(?|`), `\K`, `\C`, backtracking verbs (`(*`).
 * - Case-insensitivity (`i`) is ASCII-only in both (PCRE's default "C" tables; Java without
 *   UNICODE_CASE). `\d \w \s` are ASCII in both; `\s` includes VT in both (PCRE >= 8.34).
 */
internal object PcreTranslator {
    class Unsupported(message: String) : IllegalArgumentException(message)

    /** The Java pattern for PCRE [pattern] with nmap's flags; throws [Unsupported] or [PatternSyntaxException]. */
    fun compile(pattern: String, caseInsensitive: Boolean, dotAll: Boolean): Pattern {
        var flags = Pattern.UNIX_LINES
        if (caseInsensitive) flags = flags or Pattern.CASE_INSENSITIVE
        if (dotAll) flags = flags or Pattern.DOTALL
        return Pattern.compile(translate(pattern), flags)
    }

    fun translate(p: String): String {
        val out = StringBuilder(p.length + 16)
        var i = 0
        while (i < p.length) {
            val c = p[i]
            when {
                c == '\\' -> i = escape(p, i, out, inClass = false)
                c == '[' -> i = charClass(p, i, out)
                c == '{' -> {
                    val q = QUANTIFIER.matcher(p).region(i, p.length)
                    if (q.lookingAt()) { out.append(q.group()); i = q.end() } else { out.append("\\{"); i++ }
                }
                c == '(' && p.startsWith("(?#", i) -> {
                    val end = p.indexOf(')', i)
                    if (end < 0) throw Unsupported("unterminated (?# comment")
                    i = end + 1
                }
                c == '(' && p.startsWith("(?P<", i) -> { out.append("(?<"); i += 4; i = groupName(p, i, out, '>') }
                c == '(' && p.startsWith("(?P=", i) -> {
                    out.append("\\k<"); i += 4; i = groupName(p, i, out, ')'); out.setCharAt(out.length - 1, '>')
                }
                c == '(' && p.startsWith("(?<", i) && i + 3 < p.length && p[i + 3] != '=' && p[i + 3] != '!' -> {
                    out.append("(?<"); i += 3; i = groupName(p, i, out, '>')
                }
                c == '(' && (p.startsWith("(?R", i) || p.startsWith("(?P>", i) || p.startsWith("(?(", i) || p.startsWith("(?|", i) ||
                    p.startsWith("(*", i) || (p.startsWith("(?", i) && i + 2 < p.length && (p[i + 2].isDigit() || p[i + 2] == '+' || p[i + 2] == '&'))) ->
                    throw Unsupported("PCRE construct \"${p.substring(i, minOf(p.length, i + 4))}\" (recursion, conditionals, branch reset or verbs) has no java.util.regex equivalent")
                else -> { out.append(c); i++ }
            }
        }
        return out.toString()
    }

    private fun groupName(p: String, start: Int, out: StringBuilder, end: Char): Int {
        var i = start
        while (i < p.length && p[i] != end) {
            if (p[i].isLetterOrDigit() && p[i].code < 128) out.append(p[i])
            i++
        }
        if (i >= p.length) throw Unsupported("unterminated group name")
        out.append(end)
        return i + 1
    }

    /** Copies the escape at [start] (a backslash); returns the index after it. */
    private fun escape(p: String, start: Int, out: StringBuilder, inClass: Boolean): Int {
        if (start + 1 >= p.length) { out.append("\\\\"); return start + 1 } // a trailing backslash: PCRE errors, we take it literally
        val c = p[start + 1]
        var i = start + 2
        when {
            c == '0' -> { // \0, \0n, \0nn: octal
                var v = 0; var n = 0
                while (n < 2 && i < p.length && p[i] in '0'..'7') { v = v * 8 + (p[i] - '0'); i++; n++ }
                hex(v, out)
            }
            c in '1'..'9' && !inClass -> { out.append('\\').append(c) } // back reference
            c in '1'..'7' && inClass -> { // octal in a class
                var v = c - '0'; var n = 1
                while (n < 3 && i < p.length && p[i] in '0'..'7') { v = v * 8 + (p[i] - '0'); i++; n++ }
                hex(v and 0xFF, out)
            }
            c == 'x' -> {
                if (i < p.length && p[i] == '{') {
                    val end = p.indexOf('}', i)
                    if (end < 0) throw Unsupported("unterminated \\x{")
                    val v = p.substring(i + 1, end).toIntOrNull(16) ?: throw Unsupported("bad \\x{${p.substring(i + 1, end)}}")
                    if (v > 0xFF) throw Unsupported("\\x{${p.substring(i + 1, end)}} is above 0xFF (replies are bytes)")
                    hex(v, out); i = end + 1
                } else {
                    var v = 0; var n = 0
                    while (n < 2 && i < p.length && p[i].isHex()) { v = v * 16 + Character.digit(p[i], 16); i++; n++ }
                    hex(v, out)
                }
            }
            c == 'b' && inClass -> hex(8, out)
            c == 'K' || c == 'C' -> throw Unsupported("PCRE escape \\$c has no java.util.regex equivalent")
            c == 'c' -> { if (i >= p.length) throw Unsupported("\\c at the end"); hex(p[i].uppercaseChar().code xor 0x40, out); i++ }
            c == 'p' || c == 'P' -> { // \pL, \p{..}: only ASCII-meaningful here; Java understands the same syntax
                out.append('\\').append(c)
                if (i < p.length && p[i] == '{') { val end = p.indexOf('}', i); if (end < 0) throw Unsupported("unterminated \\p{"); out.append(p, i, end + 1); i = end + 1 } else if (i < p.length) { out.append(p[i]); i++ }
            }
            c == 'Q' -> { // literal until \E
                val end = p.indexOf("\\E", i).let { if (it < 0) p.length else it }
                for (ch in p.substring(i, end)) literal(ch, out)
                i = if (end == p.length) end else end + 2
            }
            c == 'E' -> Unit
            c.isLetter() && c.code < 128 -> if (c in KNOWN) out.append('\\').append(c) else literal(c, out)
            c.isLetterOrDigit() -> literal(c, out) // a non-ASCII letter: literal in PCRE
            else -> { if (c.code > 0x7F) literal(c, out) else out.append('\\').append(c) }
        }
        return i
    }

    private fun charClass(p: String, start: Int, out: StringBuilder): Int {
        var i = start + 1
        out.append('[')
        if (i < p.length && p[i] == '^') { out.append('^'); i++ }
        if (i < p.length && p[i] == ']') { out.append("\\]"); i++ } // a leading ] is literal
        while (i < p.length) {
            val c = p[i]
            when {
                c == ']' -> { out.append(']'); return i + 1 }
                c == '\\' -> i = escape(p, i, out, inClass = true)
                c == '[' && p.startsWith("[:", i) -> {
                    val end = p.indexOf(":]", i + 2)
                    val name = if (end > 0) p.substring(i + 2, end) else null
                    val negated = name?.startsWith("^") == true
                    val java = POSIX[name?.removePrefix("^")]
                    if (name?.removePrefix("^") == "word") { out.append(if (negated) "\\W" else "\\w"); i = end + 2 } else if (java != null) { out.append(if (negated) "\\P{$java}" else "\\p{$java}"); i = end + 2 } else { out.append("\\["); i++ }
                }
                c == '[' -> { out.append("\\["); i++ }
                c == '&' -> { out.append("\\&"); i++ }
                else -> { out.append(c); i++ }
            }
        }
        throw Unsupported("unterminated character class")
    }

    private fun literal(c: Char, out: StringBuilder) {
        if (c.isLetterOrDigit() && c.code < 128) out.append(c) else hex(c.code, out)
    }

    private fun hex(v: Int, out: StringBuilder) {
        out.append("\\x").append(HEX[(v shr 4) and 0xF]).append(HEX[v and 0xF])
    }

    private fun Char.isHex() = this in '0'..'9' || this in 'a'..'f' || this in 'A'..'F'

    private const val HEX = "0123456789abcdef"
    private val QUANTIFIER = Pattern.compile("\\{\\d+(,\\d*)?\\}")
    private const val KNOWN = "dDsSwWbBAZzGnrtfeahHvVRk"
    private val POSIX = mapOf(
        "alpha" to "Alpha", "digit" to "Digit", "alnum" to "Alnum", "upper" to "Upper", "lower" to "Lower",
        "space" to "Space", "punct" to "Punct", "print" to "Print", "graph" to "Graph", "cntrl" to "Cntrl",
        "xdigit" to "XDigit", "blank" to "Blank", "ascii" to "ASCII",
    )
}
