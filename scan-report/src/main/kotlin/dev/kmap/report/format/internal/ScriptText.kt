package dev.kmap.report.format.internal

import dev.kmap.engine.ScriptElement
import dev.kmap.engine.ScriptOutput

/** Script results as nmap writes them: the `|`/`|_` lines of normal output, and XML `<script>`. */
internal object ScriptText {
    /**
     * nmap's lines under a port or under "Host script results:": `|_id: output` for one line,
     * otherwise `| id: first`, `|   next`, …, and the last line marked `|_  `.
     */
    fun lines(scripts: List<ScriptOutput>): List<String> = scripts.flatMap { s ->
        val all = s.output.trimEnd('\n').lines()
        // the lines after the first lose their common indent: nmap's own indent replaces it
        val indent = all.drop(1).filter { it.isNotBlank() }.minOfOrNull { l -> l.length - l.trimStart().length } ?: 0
        val body = listOf(all[0]) + all.drop(1).map { it.drop(minOf(indent, it.length - it.trimStart().length)) }
        if (body.size == 1) listOf("|_${s.id}: ${body[0]}")
        else body.mapIndexed { i, line ->
            when (i) {
                0 -> "| ${s.id}: $line".trimEnd()
                body.lastIndex -> "|_  $line"
                else -> "|   $line"
            }
        }
    }

    /** `<script id output>` with its `<elem>`/`<table>` children (nmap DTD). */
    fun xml(s: ScriptOutput, out: Appendable) {
        out.append("<script id=\"${Xml.escape(s.id)}\" output=\"${attr(s.output)}\"")
        val children = s.elements?.children.orEmpty()
        if (children.isEmpty()) { out.append("/>"); return }
        out.append(">")
        children.forEach { element(it, out) }
        out.append("</script>")
    }

    private fun element(e: ScriptElement, out: Appendable) {
        val key = e.key?.let { " key=\"${Xml.escape(it)}\"" } ?: ""
        when (e) {
            is ScriptElement.Elem -> out.append("<elem$key>${Xml.escape(e.value)}</elem>")
            is ScriptElement.Table -> {
                out.append("<table$key>")
                e.children.forEach { element(it, out) }
                out.append("</table>")
            }
        }
    }

    /** Attribute text keeps line breaks as character references, as nmap writes `&#xa;`. */
    private fun attr(text: String) = Xml.escape(text).replace("\n", "&#xa;").replace("\r", "&#xd;").replace("\t", "&#x9;")
}
