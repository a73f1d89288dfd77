package dev.kmap.gradle

import dev.kmap.dsl.ExpectBuilder
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.ScanBuilder
import dev.kmap.dsl.expectations as buildExpectations
import dev.kmap.dsl.scan as buildPlan
import org.gradle.api.Action
import org.gradle.api.GradleException
import org.gradle.api.Named
import org.gradle.api.file.RegularFileProperty
import org.gradle.api.model.ObjectFactory
import org.gradle.api.provider.Property
import org.gradle.api.provider.Provider
import org.gradle.api.provider.ProviderFactory
import java.io.File
import javax.inject.Inject

/**
 * One named scan of `kmap { scans { } }`, written in the same DSL as everywhere else: the
 * calls are recorded and replayed into `dev.kmap.dsl.scan { }` and `expectations { }` when the
 * task needs them (lazily), so a bad value fails the build with the DSL's one-line message.
 * The blocks take Gradle's `Action<T>`, so Groovy build scripts configure them as Kotlin ones
 * do (Gradle gives the Kotlin DSL the receiver; plain Kotlin has receiver-lambda overloads).
 *
 * ```groovy
 * kmap { scans { staging { targets('staging.internal'); scan { connect() }; expect { open(443) }; reports { sarif() } } } }
 * ```
 *
 * ```kotlin
 * scans.register("staging") {
 *     targets("staging.internal")
 *     ports(top = 1000)
 *     scan { connect(); timing(T4) }            // anything else of the scan DSL
 *     expect { open(443); open(22) from "10.0.0.0/8"; nothingElseOpen() }
 *     baseline(file("kmap/staging-baseline.json"))
 *     reports { sarif(); junit(); html(); xml() }
 *     ignoreFailures.set(false)
 * }
 * ```
 */
public abstract class KmapScanSpec @Inject constructor(
    private val name: String,
    objects: ObjectFactory,
    providers: ProviderFactory,
) : Named {
    private val scanBlocks = ArrayList<ScanBuilder.() -> Unit>()
    private val expectBlocks = ArrayList<ExpectBuilder.() -> Unit>()

    override fun getName(): String = name

    /** The baseline file: written by `kmapBaseline<Name>`, read by `no-change-from-baseline`. */
    public val baselineFile: RegularFileProperty = objects.fileProperty()

    /** Report violations as warnings instead of failing the build (default false). Tool errors still fail. */
    public val ignoreFailures: Property<Boolean> = objects.property(Boolean::class.javaObjectType).convention(false)

    /** The report files to write. */
    public val reports: KmapReports = objects.newInstance(KmapReports::class.java)

    /** The plan as JSON, built when first asked for. */
    public val planJson: Provider<String> = providers.provider {
        build("scan") { buildPlan { scanBlocks.forEach { it(this) } }.toJson() }
    }

    /** The expectations as JSON, built when first asked for. */
    public val expectationsJson: Provider<String> = providers.provider {
        build("expectations") { buildExpectations { expectBlocks.forEach { it(this) } }.toJson() }
    }

    /** Adds targets in nmap syntax. */
    public fun targets(vararg specs: String) { val s = specs.toList(); scanBlocks += { targets(*s.toTypedArray()) } }

    /** Adds ports in nmap syntax (`"22,80,443"`, `"1-1024"`). */
    public fun ports(spec: String) { scanBlocks += { ports(spec) } }

    /** Adds the [top] most frequent ports. */
    public fun ports(top: Int) { scanBlocks += { ports { top(top) } } }

    /** Anything else of the scan DSL: scan types, timing, discovery, DNS (Groovy: `scan { connect() }`). */
    public fun scan(action: Action<in ScanBuilder>) { scanBlocks += { action.execute(this) } }

    /** Kotlin: [scan] with the builder as receiver. */
    public fun scan(block: ScanBuilder.() -> Unit) { scanBlocks += block }

    /** Adds expectations (policy as code) the scan task checks (Groovy: `expect { open(443) }`). */
    public fun expect(action: Action<in ExpectBuilder>) { expectBlocks += { action.execute(this) } }

    /** Kotlin: [expect] with the builder as receiver. */
    public fun expect(block: ExpectBuilder.() -> Unit) { expectBlocks += block }

    /** Sets the baseline file. */
    public fun baseline(file: File) { baselineFile.set(file) }

    /** Chooses report formats (Groovy: `reports { sarif(); junit() }`). */
    public fun reports(action: Action<in KmapReports>) { action.execute(reports) }

    /** Kotlin: [reports] with the reports block as receiver. */
    public fun reports(block: KmapReports.() -> Unit) { reports.block() }

    private fun build(what: String, block: () -> String): String = try {
        block()
    } catch (e: InvalidSpecException) {
        throw GradleException("kmap scan '$name': invalid $what: ${e.message}")
    }
}
