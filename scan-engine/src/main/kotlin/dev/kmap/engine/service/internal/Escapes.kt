package dev.kmap.engine.service.internal

/** C-style escapes of probe payloads (nmap's `q|...|` and kmap's quoted strings): bytes as ISO-8859-1 characters. */
internal object Escapes {
    /** Unescapes [text]; throws IllegalArgumentException naming the bad escape. */
    fun unescape(text: String): String {
        val out = StringBuilder(text.length)
        var i = 0
        while (i < text.length) {
            val c = text[i]
            if (c.code > 0xFF) throw IllegalArgumentException("character U+%04X is not a byte (use \\xHH)".format(c.code))
            if (c != '\\') { out.append(c); i++; continue }
            if (i + 1 >= text.length) throw IllegalArgumentException("a backslash at the end")
            val e = text[i + 1]
            i += 2
            when (e) {
                '\\' -> out.append('\\'); '0' -> out.append('\u0000'); 'a' -> out.append('\u0007'); 'b' -> out.append('\b')
                'f' -> out.append('\u000c'); 'n' -> out.append('\n'); 'r' -> out.append('\r'); 't' -> out.append('\t')
                'v' -> out.append('\u000b'); '"' -> out.append('"'); '\'' -> out.append('\''); '|' -> out.append('|')
                'x' -> {
                    val hex = text.substring(i, minOf(text.length, i + 2))
                    val v = if (hex.length == 2) hex.toIntOrNull(16) else null
                    v ?: throw IllegalArgumentException("bad escape \\x$hex (expected two hex digits)")
                    out.append(v.toChar()); i += 2
                }
                else -> throw IllegalArgumentException("unknown escape \\$e (expected \\\\ \\0 \\a \\b \\f \\n \\r \\t \\v \\\" \\xHH)")
            }
        }
        return out.toString()
    }

    /** Bytes as printable text with escapes (for traces, fingerprints and the kmap format). */
    fun escape(bytes: String, max: Int = Int.MAX_VALUE): String {
        val out = StringBuilder()
        for (c in bytes.take(max)) when {
            c == '\\' -> out.append("\\\\"); c == '"' -> out.append("\\\""); c == '\r' -> out.append("\\r"); c == '\n' -> out.append("\\n")
            c == '\t' -> out.append("\\t"); c == '\u0000' -> out.append("\\0")
            c.code in 0x20..0x7E -> out.append(c)
            else -> out.append("\\x%02x".format(c.code and 0xFF))
        }
        if (bytes.length > max) out.append("...")
        return out.toString()
    }
}
