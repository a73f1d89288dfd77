package dev.kmap.engine

import kotlinx.serialization.Serializable

/**
 * What one script reported about a port or a host: the script's [id] (its name, e.g.
 * `http-title`), the human-readable [output] and, when the script returned structure, the
 * [elements] tree (the shape of nmap XML's `<elem>`/`<table>` children of `<script>`).
 *
 * ```kotlin
 * val title = ScriptOutput("http-title", "Lab page", ScriptElement.Table(listOf(ScriptElement.Elem("title", "Lab page"))))
 * port.scripts.firstOrNull { it.id == "http-title" }?.output
 * ```
 */
@Serializable
public data class ScriptOutput(
    val id: String,
    val output: String,
    val elements: ScriptElement.Table? = null,
)
