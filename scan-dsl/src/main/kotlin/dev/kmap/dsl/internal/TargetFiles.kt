package dev.kmap.dsl.internal

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.TargetSpec
import dev.kmap.dsl.invalid

/**
 * [specs] with every [TargetSpec.File] replaced by the targets it lists: each line of
 * `readLines(path)` is cut at `#`, split on whitespace, and each token parsed by
 * [parseTargetSpec]. A bad token raises [InvalidSpecException] naming the file and line.
 */
internal fun resolveFiles(specs: List<TargetSpec>, readLines: (String) -> List<String>, what: String): List<TargetSpec> {
    if (specs.none { it is TargetSpec.File }) return specs
    val out = ArrayList<TargetSpec>(specs.size)
    for (spec in specs) {
        if (spec !is TargetSpec.File) {
            out += spec
            continue
        }
        for ((n, line) in readLines(spec.path).withIndex()) {
            for (token in tokens(line)) {
                out += try {
                    parseTargetSpec(token)
                } catch (e: InvalidSpecException) {
                    invalid("$what ${quote(spec.path)} line ${n + 1}: ${e.message}")
                }
            }
        }
    }
    return out
}

/** The whitespace-separated tokens of [line] before any `#`. */
internal fun tokens(line: String): List<String> {
    val hash = line.indexOf('#')
    val body = if (hash >= 0) line.substring(0, hash) else line
    val out = ArrayList<String>()
    var start = -1
    for (i in body.indices) {
        if (body[i].isWhitespace()) {
            if (start >= 0) { out += body.substring(start, i); start = -1 }
        } else if (start < 0) {
            start = i
        }
    }
    if (start >= 0) out += body.substring(start)
    return out
}
