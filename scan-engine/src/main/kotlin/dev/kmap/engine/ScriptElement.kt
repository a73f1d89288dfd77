package dev.kmap.engine

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/**
 * Structured script output, as nmap XML carries it: a tree of [Table]s and [Elem]s, each with an
 * optional key (a table with keys is a map, without keys a list).
 *
 * ```kotlin
 * val tree = ScriptElement.Table(listOf(ScriptElement.Elem("title", "Welcome"), ScriptElement.Table(listOf(ScriptElement.Elem(null, "GET")), "methods")))
 * ```
 */
@Serializable
public sealed interface ScriptElement {
    /** The key under which this element sits in its parent table, or null in a list. */
    public val key: String?

    /**
     * A leaf value: `<elem key="…">value</elem>`.
     *
     * ```kotlin
     * ScriptElement.Elem("server", "nginx")
     * ```
     */
    @Serializable
    @SerialName("elem")
    public data class Elem(override val key: String?, val value: String) : ScriptElement

    /**
     * A group of elements: `<table key="…">…</table>`.
     *
     * ```kotlin
     * ScriptElement.Table(listOf(ScriptElement.Elem(null, "a"), ScriptElement.Elem(null, "b")), key = "list")
     * ```
     */
    @Serializable
    @SerialName("table")
    public data class Table(val children: List<ScriptElement>, override val key: String? = null) : ScriptElement
}
