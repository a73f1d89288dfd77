package dev.kmap.dsl.internal

import dev.kmap.dsl.invalid

private const val MAX_NAME = 253
private const val MAX_LABEL = 63

/** Why [name] is not an RFC 1123 host name (`_` also allowed, one trailing dot allowed), or null. */
internal fun hostNameProblem(name: String): String? {
    val body = if (name.endsWith('.')) name.substring(0, name.length - 1) else name
    if (body.isEmpty()) return "empty name"
    if (body.length > MAX_NAME) return "longer than $MAX_NAME characters"
    for (label in body.split('.')) {
        if (label.isEmpty()) return "empty label"
        if (label.length > MAX_LABEL) return "label longer than $MAX_LABEL characters"
        for (c in label) {
            val ok = c in 'a'..'z' || c in 'A'..'Z' || c in '0'..'9' || c == '-' || c == '_'
            if (!ok) return "character ${quote(c.toString())} is not allowed"
        }
        if (label.startsWith('-') || label.endsWith('-')) return "a label starts or ends with '-'"
    }
    return null
}

/** Raises [dev.kmap.dsl.InvalidSpecException] unless [name] is a valid host name. */
internal fun checkHostName(name: String) {
    val problem = hostNameProblem(name) ?: return
    invalid(
        "invalid host name ${quote(name)} ($problem; expected labels of 1-63 letters, digits, '-' or '_' " +
            "separated by dots, at most 253 characters)",
    )
}
