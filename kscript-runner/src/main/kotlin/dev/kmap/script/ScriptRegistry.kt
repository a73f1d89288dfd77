package dev.kmap.script

import java.util.concurrent.ConcurrentHashMap

/**
 * Data shared between scripts (and between runs of one script) during one scan, like nmap's
 * `nmap.registry`. Safe to use from concurrent actions.
 *
 * ```kotlin
 * action { registry.getOrPut("seen-servers") { java.util.concurrent.ConcurrentLinkedQueue<String>() } }
 * ```
 */
public class ScriptRegistry {
    private val map = ConcurrentHashMap<String, Any>()

    /** The value under [key], or null. */
    public operator fun get(key: String): Any? = map[key]

    /** Stores [value] under [key] (null removes it). */
    public operator fun set(key: String, value: Any?) { if (value == null) map.remove(key) else map[key] = value }

    /** The value under [key], created atomically by [create] if absent. */
    @Suppress("UNCHECKED_CAST")
    public fun <T : Any> getOrPut(key: String, create: () -> T): T = map.computeIfAbsent(key) { create() } as T

    /** Every key present now. */
    public val keys: Set<String> get() = map.keys.toSet()
}
