package dev.kmap.script

/**
 * `@file:Import("other.main.kts")` in a `.main.kts`: compiles the named scripts (paths relative
 * to the importing file) with it, so their declarations can be used — kotlin-main-kts's annotation,
 * imported by default.
 *
 * ```kotlin
 * @file:Import("helpers.main.kts")
 * ```
 */
@Target(AnnotationTarget.FILE)
@Repeatable
@Retention(AnnotationRetention.SOURCE)
public annotation class Import(vararg val paths: String)
