package dev.kmap.cli

import java.util.Properties

/** The version Maven wrote into the jar. */
internal object Version {
    val text: String by lazy {
        val p = Properties()
        Version::class.java.getResourceAsStream("/dev/kmap/cli/version.properties")?.use(p::load)
        p.getProperty("version") ?: "unknown"
    }
}
