package dev.kmap.gradle.internal

import java.util.Properties

/** The kmap version this plugin was built at (from the resource the Maven build writes). */
internal object PluginVersion {
    val version: String by lazy {
        val props = Properties()
        PluginVersion::class.java.getResourceAsStream("/dev/kmap/gradle/kmap-plugin.properties")?.use { props.load(it) }
        props.getProperty("version") ?: error("kmap-plugin.properties is missing from the plugin jar")
    }
}
