package dev.kmap.report.format.internal

/** Escaping for the XML and HTML formats. */
internal object Xml {
    /**
     * Text safe inside an attribute or element: markup characters become entities, characters
     * XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) become `?`.
     */
    fun escape(text: String): String {
        if (text.none { it == '&' || it == '<' || it == '>' || it == '"' || it == '\'' || !isXmlChar(it) }) return text
        val sb = StringBuilder(text.length + 16)
        var i = 0
        while (i < text.length) {
            val c = text[i]
            when {
                c == '&' -> sb.append("&amp;")
                c == '<' -> sb.append("&lt;")
                c == '>' -> sb.append("&gt;")
                c == '"' -> sb.append("&quot;")
                c == '\'' -> sb.append("&apos;")
                Character.isHighSurrogate(c) && i + 1 < text.length && Character.isLowSurrogate(text[i + 1]) -> {
                    sb.append(c).append(text[i + 1]); i++
                }
                !isXmlChar(c) -> sb.append('?')
                else -> sb.append(c)
            }
            i++
        }
        return sb.toString()
    }

    /** Text safe inside `<!-- -->`: no `--` (nmap writes `-&#45;`) and no trailing `-`. */
    fun comment(text: String): String {
        val sb = StringBuilder()
        for (c in escapeControls(text)) {
            if (c == '-' && sb.endsWith("-")) sb.append("&#45;") else sb.append(c)
        }
        return sb.toString()
    }

    private fun escapeControls(text: String) = text.map { if (isXmlChar(it) || Character.isSurrogate(it)) it else '?' }.joinToString("")

    private fun isXmlChar(c: Char): Boolean =
        c == '\t' || c == '\n' || c == '\r' || (c in '\u0020'..'\uD7FF') || (c in '\uE000'..'\uFFFD')
}
