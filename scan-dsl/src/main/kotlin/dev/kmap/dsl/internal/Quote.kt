package dev.kmap.dsl.internal

/** Longest piece of user text echoed in an error message. */
private const val MAX_QUOTED = 100

/**
 * Quotes user text for a one-line error message: `"`, `\` and every control, format,
 * line/paragraph separator, unpaired surrogate or unassigned character is escaped, and text
 * longer than [MAX_QUOTED] characters is cut with `...`.
 */
internal fun quote(text: String): String {
    val sb = StringBuilder(minOf(text.length, MAX_QUOTED) + 8)
    sb.append('"')
    var i = 0
    while (i < text.length) {
        if (i >= MAX_QUOTED) {
            sb.append("...")
            break
        }
        val c = text[i]
        if (Character.isHighSurrogate(c) && i + 1 < text.length && Character.isLowSurrogate(text[i + 1])) {
            val cp = Character.toCodePoint(c, text[i + 1])
            if (isPrintable(Character.getType(cp))) sb.append(c).append(text[i + 1]) else appendEscape(sb, cp)
            i += 2
            continue
        }
        when (c) {
            '"' -> sb.append("\\\"")
            '\\' -> sb.append("\\\\")
            '\n' -> sb.append("\\n")
            '\r' -> sb.append("\\r")
            '\t' -> sb.append("\\t")
            else -> if (isPrintable(Character.getType(c))) sb.append(c) else appendEscape(sb, c.code)
        }
        i++
    }
    sb.append('"')
    return sb.toString()
}

/** A run of digits or other plain ASCII token echoed in a message, cut when absurdly long. */
internal fun shortToken(token: String): String =
    if (token.length <= 20 && token.all { it in '!'..'~' }) token else quote(token)

private fun isPrintable(type: Int): Boolean = when (type.toByte()) {
    Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
    Character.SURROGATE, Character.UNASSIGNED, Character.PRIVATE_USE,
    -> false
    else -> true
}

private fun appendEscape(sb: StringBuilder, codePoint: Int) {
    val hex = Integer.toHexString(codePoint)
    if (codePoint <= 0xFFFF) {
        sb.append("\\u")
        repeat(4 - hex.length) { sb.append('0') }
    } else {
        sb.append("\\U")
        repeat(8 - hex.length) { sb.append('0') }
    }
    sb.append(hex)
}
