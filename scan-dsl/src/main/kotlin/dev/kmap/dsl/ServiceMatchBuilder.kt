package dev.kmap.dsl

/**
 * The receiver of `match(pattern) { }`: what a matching reply says about the service. Values
 * are templates; [group] writes the `$n` that inserts a regex group.
 *
 * ```kotlin
 * match("^ACME (\\d+\\.\\d+) on (\\S+)", service = "acme") {
 *     product = "Acme"; version = group(1); hostname = group(2); cpe("cpe:/a:acme:acme:${group(1)}")
 *     ignoreCase = true
 * }
 * ```
 */
@KmapDsl
public class ServiceMatchBuilder internal constructor(private val service: String, private val pattern: String, private val soft: Boolean) {
    /** The product name, e.g. `nginx`. */
    public var product: String? = null
    /** The version, e.g. `1.22.1`. */
    public var version: String? = null
    /** Extra information, e.g. `protocol 2.0`. */
    public var info: String? = null
    /** The host name the service announces. */
    public var hostname: String? = null
    /** The operating system it reveals, e.g. `Linux`. */
    public var os: String? = null
    /** The device type, e.g. `router`. */
    public var device: String? = null
    /** nmap's `i` flag. */
    public var ignoreCase: Boolean = false
    /** nmap's `s` flag: `.` matches newlines too. */
    public var dotAll: Boolean = false

    private val cpes = ArrayList<String>()

    /** Adds a CPE name (`cpe:/a:vendor:product:version`, a template). */
    public fun cpe(name: String) { cpes += name }

    /** The template text that inserts group [n] (1..9). */
    public fun group(n: Int): String {
        if (n !in 1..9) invalid("group $n is out of range (expected 1..9)")
        return "$$n"
    }

    internal fun build(): ServiceMatch = ServiceMatch(
        service = service, pattern = pattern, caseInsensitive = ignoreCase, dotAll = dotAll, soft = soft,
        product = product, version = version, info = info, hostname = hostname, os = os, device = device, cpe = cpes.toList(),
    )
}
