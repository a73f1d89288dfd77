package dev.kmap.script

import dev.kmap.engine.ScriptElement

/**
 * What an action returns when it has structure: the [text] shown in normal output (nmap's
 * `output=`) and the [table] of keyed and unkeyed elements (XML `<elem>`/`<table>`, JSON).
 * Build it with [result]; when no text is given it is rendered from the table.
 *
 * ```kotlin
 * action { result { put("title", "Welcome"); table("headers") { add("Server: nginx") } } }
 * ```
 */
public class ScriptResult(public val text: String, public val table: ScriptElement.Table?)

/**
 * Builds a [ScriptResult]: [text] for people (default: rendered from the table), [block] for the
 * structure.
 *
 * ```kotlin
 * result("Welcome") { put("title", "Welcome") }
 * ```
 */
public fun result(text: String? = null, block: TableBuilder.() -> Unit): ScriptResult {
    val table = TableBuilder().apply(block).build(null)
    return ScriptResult(text ?: TableBuilder.render(table), table)
}

/**
 * The receiver of [result] and nested tables: keyed values ([put]), unkeyed values ([add]) and
 * sub-tables ([table]), in order.
 *
 * ```kotlin
 * result { put("status", 200); table("methods") { add("GET"); add("HEAD") } }
 * ```
 */
public class TableBuilder {
    private val children = ArrayList<ScriptElement>()

    /** A keyed value (`<elem key="…">`); null values are left out. */
    public fun put(key: String, value: Any?) { if (value != null) children += element(key, value) }

    /** An unkeyed value (a list item). */
    public fun add(value: Any) { children += element(null, value) }

    /** A sub-table under [key] (null for a list item). */
    public fun table(key: String?, block: TableBuilder.() -> Unit) { children += TableBuilder().apply(block).build(key) }

    internal fun build(key: String?) = ScriptElement.Table(children.toList(), key)

    internal companion object {
        /** Maps and lists become tables, everything else an element holding its text. */
        fun element(key: String?, value: Any?): ScriptElement = when (value) {
            is ScriptElement -> if (value is ScriptElement.Table) value.copy(key = key) else value
            is Map<*, *> -> ScriptElement.Table(value.entries.filter { it.value != null }.map { element(it.key.toString(), it.value) }, key)
            is Iterable<*> -> ScriptElement.Table(value.filterNotNull().map { element(null, it) }, key)
            is Array<*> -> element(key, value.toList())
            else -> ScriptElement.Elem(key, value.toString())
        }

        /** nmap's rendering of a table: `key: value` lines, sub-tables indented by two spaces. */
        fun render(table: ScriptElement.Table): String {
            val single = table.children.singleOrNull()
            if (single is ScriptElement.Elem) return if (single.key == null) single.value else "${single.key}: ${single.value}"
            val sb = StringBuilder()
            fun walk(t: ScriptElement.Table, indent: String) {
                for (c in t.children) {
                    sb.append('\n').append(indent)
                    when (c) {
                        is ScriptElement.Elem -> sb.append(if (c.key == null) c.value else "${c.key}: ${c.value}")
                        is ScriptElement.Table -> { sb.append(c.key?.let { "$it: " } ?: ""); walk(c, "$indent  ") }
                    }
                }
            }
            walk(table, "  ")
            return sb.toString()
        }
    }
}
