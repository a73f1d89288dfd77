package dev.kmap.dsl

/**
 * Marks an interface that kmap lets you implement to extend the engine (a probe module, a probe
 * session, a scan stage, a stage provider, a host processor). Using these types needs nothing;
 * implementing one needs `@OptIn(KmapExtensionPoint::class)`: their members may grow between minor
 * versions (new members get default implementations where they can), so an implementation is a
 * conscious choice, as with kotlinx.coroutines' `@InternalForInheritanceCoroutinesApi`.
 *
 * ```kotlin
 * @OptIn(KmapExtensionPoint::class)
 * object BannerStage : ScanStage { /* ... */ }
 * ```
 */
@RequiresOptIn(
    message = "This is a kmap extension point: its members may grow between minor versions. " +
        "Opt in with @OptIn(KmapExtensionPoint::class) to implement it.",
    level = RequiresOptIn.Level.ERROR,
)
@Retention(AnnotationRetention.BINARY)
@Target(AnnotationTarget.CLASS, AnnotationTarget.FUNCTION, AnnotationTarget.PROPERTY, AnnotationTarget.TYPEALIAS)
@MustBeDocumented
public annotation class KmapExtensionPoint
