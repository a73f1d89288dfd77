package dev.kmap.engine.service

import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.PortList
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.ServiceDetection
import dev.kmap.dsl.ServiceProbe
import dev.kmap.engine.ServiceInfo
import dev.kmap.engine.service.internal.CompiledMatch
import dev.kmap.engine.service.internal.CompiledProbe
import dev.kmap.engine.service.internal.KmapProbeFormat
import dev.kmap.engine.service.internal.NmapProbeFormat
import dev.kmap.engine.service.internal.ParsedProbes
import dev.kmap.engine.service.internal.PcreTranslator
import dev.kmap.engine.service.internal.ReplyMatcher
import java.io.File
import java.io.IOException

/**
 * A set of service probes with compiled match rules: kmap's shipped database ([builtIn]), a
 * file in kmap's format or nmap's `nmap-service-probes` ([read], [parse]), or probes from the
 * DSL ([of]). Patterns are nmap's PCRE dialect, run with java.util.regex (see the translation
 * notes in the docs); rules java.util.regex cannot run are listed in [skipped] (nmap files
 * only: in kmap files they are errors). Immutable and thread-safe.
 *
 * ```kotlin
 * val db = ServiceDatabase.read("/usr/share/nmap/nmap-service-probes")
 * val hit = db.match("NULL", Protocol.TCP, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".toByteArray())
 * println(hit?.product) // OpenSSH
 * ```
 */
public class ServiceDatabase private constructor(
    /** Every probe, in file order. */
    public val probes: List<ServiceProbe>,
    /** Match lines that were left out, each `file:line: why`. */
    public val skipped: List<String>,
    /** TCP ports never probed (nmap's `Exclude`). */
    public val excludedTcp: PortList,
    /** UDP ports never probed. */
    public val excludedUdp: PortList,
) {
    internal val compiled: List<CompiledProbe> = probes.map { p ->
        CompiledProbe(p, p.matches.map { m ->
            val pattern = try {
                PcreTranslator.compile(m.pattern, m.caseInsensitive, m.dotAll)
            } catch (e: IllegalArgumentException) {
                throw InvalidSpecException("${m.source ?: p.source ?: "probe ${p.name}"}: match ${m.service}: bad pattern: ${e.message?.lineSequence()?.first()}")
            }
            CompiledMatch(m, pattern)
        })
    }.also { list ->
        val byKey = list.associateBy { it.probe.protocol to it.probe.name }
        val nullProbe = byKey[Protocol.TCP to NULL_PROBE] ?: list.firstOrNull { it.probe.isBanner }
        for (c in list) {
            val named = c.probe.fallback.mapNotNull { byKey[c.probe.protocol to it] ?: list.firstOrNull { p -> p.probe.name == it } }
            // nmap: a TCP probe without a fallback line falls back to the NULL probe's matches
            c.fallbacks = (named + if (c.probe.protocol == Protocol.TCP && nullProbe != null && nullProbe !== c) listOf(nullProbe) else emptyList()).distinct()
        }
    }

    /** This database's probes followed by [other]'s (a probe of the same name and protocol in [other] replaces this one's). */
    public operator fun plus(other: ServiceDatabase): ServiceDatabase {
        val replaced = other.probes.map { it.protocol to it.name }.toSet()
        return ServiceDatabase(probes.filter { (it.protocol to it.name) !in replaced } + other.probes, skipped + other.skipped,
            excludedTcp + other.excludedTcp, excludedUdp + other.excludedUdp)
    }

    /**
     * What the rules of probe [probeName] (and its fallbacks) say about [reply], or null when
     * none matches: for checking a definition against recorded replies.
     */
    public fun match(probeName: String, protocol: Protocol, reply: ByteArray): ServiceInfo? {
        val probe = compiled.firstOrNull { it.probe.name == probeName && it.probe.protocol == protocol }
            ?: throw InvalidSpecException("no ${protocol.label} probe named \"$probeName\" (probes: ${probes.filter { it.protocol == protocol }.joinToString(", ") { it.name }})")
        return ReplyMatcher.match(probe, String(reply, Charsets.ISO_8859_1))?.let { hit ->
            hit.info.copy(probe = probeName, extraInfo = hit.info.extraInfo)
        }
    }

    /** The source (`file:line`) of the rule that [match] would use, for `kmap service-db test`. */
    public fun matchSource(probeName: String, protocol: Protocol, reply: ByteArray): String? {
        val probe = compiled.firstOrNull { it.probe.name == probeName && it.probe.protocol == protocol } ?: return null
        return ReplyMatcher.match(probe, String(reply, Charsets.ISO_8859_1))?.match?.match?.source
    }

    public companion object {
        /** The name nmap gives its banner probe. */
        public const val NULL_PROBE: String = "NULL"

        /** Where nmap installs its probe file; `--service-db nmap` reads the first that exists. */
        public val NMAP_PATHS: List<String> = listOf("/usr/share/nmap/nmap-service-probes", "/usr/local/share/nmap/nmap-service-probes", "/opt/homebrew/share/nmap/nmap-service-probes")

        /** Class-path location of kmap's own database. */
        public const val BUILT_IN_RESOURCE: String = "/dev/kmap/engine/service/kmap-service-probes"

        private val builtIn: ServiceDatabase by lazy {
            val text = ServiceDatabase::class.java.getResourceAsStream(BUILT_IN_RESOURCE)?.use { String(it.readBytes(), Charsets.ISO_8859_1) }
                ?: error("kmap's service database $BUILT_IN_RESOURCE is missing from the class path")
            parse(text, "kmap-service-probes")
        }

        /** kmap's shipped database. */
        public fun builtIn(): ServiceDatabase = builtIn

        /** Probes from the DSL (or anywhere): their patterns are compiled here; a bad one raises [InvalidSpecException]. */
        public fun of(probes: List<ServiceProbe>): ServiceDatabase = ServiceDatabase(probes, emptyList(), PortList.EMPTY, PortList.EMPTY)

        /**
         * Reads [text] in kmap's format, or nmap's when a line starts with `Probe ` (nmap's
         * keyword; kmap's is lower case). Errors raise [InvalidSpecException] as `source:line: why`.
         */
        public fun parse(text: String, source: String): ServiceDatabase {
            val nmap = text.lineSequence().any { it.startsWith("Probe ") || it.startsWith("Exclude ") }
            val parsed: ParsedProbes = if (nmap) NmapProbeFormat.parse(text, source) else KmapProbeFormat.parse(text, source)
            if (parsed.probes.isEmpty()) throw InvalidSpecException("$source: no probes (expected ${if (nmap) "Probe" else "probe NAME tcp|udp"} lines)")
            return ServiceDatabase(parsed.probes, parsed.skipped, parsed.excludeTcp, parsed.excludeUdp)
        }

        /** Reads the file at [path] (`nmap`: nmap's installed `nmap-service-probes`). */
        public fun read(path: String): ServiceDatabase {
            val file = if (path == "nmap") {
                NMAP_PATHS.map(::File).firstOrNull { it.isFile }
                    ?: throw InvalidSpecException("nmap's probe file was not found (looked in ${NMAP_PATHS.joinToString(", ")}); install nmap or give the file's path")
            } else File(path)
            val bytes = try { file.readBytes() } catch (e: IOException) {
                throw InvalidSpecException("cannot read service database \"$path\": ${if (!file.exists()) "no such file" else e.message ?: e.javaClass.simpleName}")
            }
            return parse(String(bytes, Charsets.ISO_8859_1), file.path)
        }

        /** The database [detection] asks for: its files (or the shipped one), then its DSL probes. */
        public fun forDetection(detection: ServiceDetection): ServiceDatabase {
            val base = if (detection.databases.isEmpty()) builtIn() else detection.databases.map(::read).reduce(ServiceDatabase::plus)
            return if (detection.probes.isEmpty()) base else base + of(detection.probes)
        }
    }
}
