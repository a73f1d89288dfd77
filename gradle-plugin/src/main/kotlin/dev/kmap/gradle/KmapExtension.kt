package dev.kmap.gradle

import org.gradle.api.NamedDomainObjectContainer
import org.gradle.api.model.ObjectFactory
import javax.inject.Inject

/**
 * `kmap { }`: the project's named scans. Each registered scan gets its own tasks.
 *
 * ```kotlin
 * kmap {
 *     scans.register("staging") {
 *         targets("staging.internal")
 *         ports(top = 1000)
 *         expect { open(443); open(22) from "10.0.0.0/8"; nothingElseOpen() }
 *         baseline(file("kmap/staging-baseline.json"))
 *         reports { sarif(); junit(); html(); xml() }
 *     }
 * }
 * ```
 */
public abstract class KmapExtension @Inject constructor(objects: ObjectFactory) {
    /** The scans, by name. */
    public val scans: NamedDomainObjectContainer<KmapScanSpec> = objects.domainObjectContainer(KmapScanSpec::class.java)
}
