package dev.kmap.packet.internal

import java.util.ServiceLoader

/**
 * pcap4j logs through SLF4J, which prints a three-line warning on stderr when the application
 * has no SLF4J provider: a library must not do that to its users. Before pcap4j is first used,
 * this picks SLF4J's own no-op provider, but only when the application configured none (no
 * `slf4j.provider` property, no provider on the class path); any logging setup of the
 * application's wins.
 */
internal object Slf4jDefaults {
    private const val PROVIDER_PROPERTY = "slf4j.provider"
    private const val NOP_PROVIDER = "org.slf4j.helpers.NOPServiceProvider"

    private val applied: Unit by lazy {
        if (System.getProperty(PROVIDER_PROPERTY) != null) return@lazy
        val loader = Slf4jDefaults::class.java.classLoader
        val providers = runCatching { ServiceLoader.load(org.slf4j.spi.SLF4JServiceProvider::class.java, loader).iterator().hasNext() }.getOrDefault(true)
        if (!providers) System.setProperty(PROVIDER_PROPERTY, NOP_PROVIDER)
    }

    fun apply() = applied
}
