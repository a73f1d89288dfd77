package dev.kmap.report.internal

import java.util.Properties

/** The kmap version Maven wrote into this jar, named by reports the library and scripts write. */
internal object KmapVersion {
    val text: String by lazy {
        val p = Properties()
        KmapVersion::class.java.getResourceAsStream("/dev/kmap/report/kmap-version.properties")?.use(p::load)
        p.getProperty("version")?.takeIf { '$' !in it } ?: "unknown"
    }
}
