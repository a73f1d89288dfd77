package dev.kmap.dsl

/**
 * The one error every kmap parser raises for bad input: a single line that names the bad value
 * and what was expected.
 *
 * ```kotlin
 * try { PortSet.parse("70000") } catch (e: InvalidSpecException) { println(e.message) }
 * // port 70000 in "70000" is out of range (ports are 0..65535)
 * ```
 */
public class InvalidSpecException(message: String) : IllegalArgumentException(message)

internal fun invalid(message: String): Nothing = throw InvalidSpecException(message)
