package dev.kmap.dsl

import java.util.function.Consumer

/**
 * The receiver of `services { }` in [scan]: turns on service detection and sets its options and
 * in-house probes.
 *
 * ```kotlin
 * scan {
 *     services {
 *         intensity = 5
 *         probe("acme") { tcp(9000); send("HELLO\r\n"); match("^ACME (\\d+\\.\\d+)") { product = "Acme"; version = group(1) } }
 *     }
 * }
 * ```
 */
@KmapDsl
public class ServicesBuilder {
    /** Probe intensity 0..9 (`--version-intensity`). */
    public var intensity: Int = ServiceDetection.DEFAULT_INTENSITY

    /** Report every exchange (`--version-trace`). */
    public var trace: Boolean = false

    private val databases = ArrayList<String>()
    private val probes = ArrayList<ServiceProbe>()

    /** Uses the probe database in [path] (kmap or nmap format) instead of the shipped one; may be repeated. */
    public fun database(path: String) { databases += path }

    /** Adds a probe named [name]. */
    public fun probe(name: String, block: ServiceProbeBuilder.() -> Unit) { probes += ServiceProbeBuilder(name).apply(block).build() }

    /** Java: adds a probe named [name]. */
    public fun probe(name: String, block: Consumer<ServiceProbeBuilder>) { probes += ServiceProbeBuilder(name).also { block.accept(it) }.build() }

    /** Adds a probe built elsewhere (e.g. read from a file). */
    public fun probe(probe: ServiceProbe) { probes += probe }

    /** The detection settings built so far. */
    public fun build(): ServiceDetection = ServiceDetection(intensity, trace, databases.toList(), probes.toList())
}
