package dev.kmap.script.internal

import java.io.File

/**
 * The class path scripts compile against: kmap's jars (or class directories) and the libraries
 * their API exposes, without the compiler, Maven resolver and packet libraries (fewer jars to
 * index is a faster compile).
 */
internal object ScriptClasspath {
    private val unwanted = listOf(
        "kotlin-compiler-embeddable", "kotlin-scripting-compiler", "kotlin-daemon", "trove4j", "maven-", "wagon-", "plexus-",
        "sisu", "guice", "guava", "httpclient", "httpcore", "commons-", "aopalliance", "jsr305", "checker", "error_prone",
        "j2objc", "animal-sniffer", "javax.", "slf4j", "jcl-over", "pcap4j", "jna", "clikt", "junit", "opentest4j", "apiguardian",
        "kotlin-test", "kotlin-reflect", "kotlin-scripting-jvm-host", "kotlin-scripting-dependencies-maven", "annotations-", "jackson", "json-schema", "lab-fixture", "kotlin-main-kts", "mordant", "colormath",
    )

    /** Every entry of the running class path that scripts may use. */
    val kmap: List<File> by lazy { all.filter { f -> unwanted.none { f.name.startsWith(it) } } }

    /** The whole running class path (for `.main.kts`, whose `@file:DependsOn` jars come on top). */
    val all: List<File> by lazy {
        val fromProperty = System.getProperty("java.class.path").orEmpty().split(File.pathSeparator).filter { it.isNotBlank() }.map(::File)
        val fromLoader = (ScriptClasspath::class.java.classLoader as? java.net.URLClassLoader)?.urLs?.mapNotNull { runCatching { File(it.toURI()) }.getOrNull() }.orEmpty()
        // a launcher jar (Surefire's) lists the real class path in its manifest; a normal class path is used as is
        val entries = fromProperty + fromLoader
        (if (entries.size <= 2) entries.flatMap { listOf(it) + manifestClassPath(it) } else entries).filter { it.exists() }.distinct()
    }

    /** Surefire (and some launchers) start from a jar whose manifest lists the real class path. */
    private fun manifestClassPath(f: File): List<File> {
        if (!f.isFile || !f.name.endsWith(".jar")) return emptyList()
        val cp = runCatching { java.util.jar.JarFile(f).use { it.manifest?.mainAttributes?.getValue("Class-Path") } }.getOrNull() ?: return emptyList()
        return cp.split(' ').filter { it.isNotBlank() }.mapNotNull { entry ->
            runCatching { File(java.net.URI(entry).let { if (it.isAbsolute) it else f.parentFile.toURI().resolve(it) }) }.getOrNull()
        }
    }

    /** A text that changes when any class path entry changes (for cache keys). */
    fun fingerprint(files: List<File>): String = files.joinToString("\n") { f ->
        if (f.isDirectory) "${f.absolutePath}:${newest(f)}" else "${f.absolutePath}:${f.length()}:${f.lastModified()}"
    }

    private fun newest(dir: File): Long = dir.walkTopDown().filter { it.isFile }.maxOfOrNull { it.lastModified() } ?: 0
}
