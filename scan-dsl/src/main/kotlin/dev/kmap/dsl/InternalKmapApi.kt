package dev.kmap.dsl

/**
 * Marks declarations that are public only so that kmap's own modules can share them (the engine
 * uses scan-packet's, the CLI uses the engine's). They are not part of the API: they change or
 * go away without notice. Using one needs `@OptIn(InternalKmapApi::class)`; outside kmap, don't.
 *
 * ```kotlin
 * @OptIn(InternalKmapApi::class) // inside kmap's own modules only
 * val sink = ReplySink { probe, verdict -> println("$probe: $verdict") }
 * ```
 */
@RequiresOptIn(
    message = "This is an internal kmap API, public only for kmap's own modules. It may change or be removed without notice.",
    level = RequiresOptIn.Level.ERROR,
)
@Retention(AnnotationRetention.BINARY)
@Target(
    AnnotationTarget.CLASS, AnnotationTarget.FUNCTION, AnnotationTarget.PROPERTY, AnnotationTarget.TYPEALIAS,
    AnnotationTarget.CONSTRUCTOR, AnnotationTarget.PROPERTY_SETTER,
)
@MustBeDocumented
public annotation class InternalKmapApi
