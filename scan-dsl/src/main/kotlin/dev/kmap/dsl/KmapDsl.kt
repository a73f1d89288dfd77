package dev.kmap.dsl

/**
 * Marks every kmap DSL builder, so an inner block cannot call an outer builder by accident.
 *
 * ```kotlin
 * scan {
 *     ports { range(1..1024) }
 *     // inside `ports { }` the scan-level `syn()` is not reachable without `this@scan`.
 * }
 * ```
 */
@DslMarker
@Target(AnnotationTarget.CLASS, AnnotationTarget.TYPE)
public annotation class KmapDsl
