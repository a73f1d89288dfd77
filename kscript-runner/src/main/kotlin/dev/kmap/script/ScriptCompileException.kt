package dev.kmap.script

/**
 * A script did not compile: [errors] are `file:line:column: message` lines (the CLI prints them
 * and exits with status 2).
 *
 * ```kotlin
 * try { host.load(file) } catch (e: ScriptCompileException) { e.errors.forEach(System.err::println) }
 * ```
 */
public class ScriptCompileException(public val errors: List<String>) : RuntimeException(errors.firstOrNull() ?: "the script did not compile")
