package dev.kmap.build

import kotlinx.validation.api.dump
import kotlinx.validation.api.filterOutAnnotated
import kotlinx.validation.api.filterOutNonPublic
import kotlinx.validation.api.loadApiFromJvmClasses
import org.junit.jupiter.api.Test
import java.io.File

/**
 * The public-API check of a library module, run by Surefire in every module that has a
 * test-scoped dependency on `dev.kmap:kmap-api-check` (build-logic's Surefire configuration scans
 * that artifact for tests): it dumps the public API of `target/classes` in Kotlin's
 * binary-compatibility-validator format (public and protected declarations, as the JVM sees them,
 * without `.internal` packages and `@InternalKmapApi` declarations) and compares the dump with the
 * committed `api/<module>.api`. A difference fails the build and prints the diff; to accept it,
 * run the module's tests with `-Dkmap.api.update=true` and commit the new file:
 *
 * ```
 * mvn test -pl scan-engine -Dtest=PublicApiCheck -Dsurefire.failIfNoSpecifiedTests=false -Dkmap.api.update=true
 * ```
 */
class PublicApiCheck {
    @Test
    fun `the public API is the committed api dump`() {
        val basedir = File(System.getProperty("basedir") ?: System.getProperty("user.dir"))
        val module = System.getProperty("kmap.api.module")?.takeIf { it.isNotBlank() && !it.startsWith("\${") } ?: basedir.name
        val classes = File(basedir, "target/classes")
        val actual = if (classes.isDirectory) dumpOf(classes) else "" // a module without sources yet has no API
        val file = File(basedir, "api/$module.api")
        if (System.getProperty("kmap.api.update") == "true") {
            file.parentFile.mkdirs()
            file.writeText(actual)
            println("kmap api-check: wrote ${file.path}")
            return
        }
        if (!file.isFile) throw AssertionError("no API dump ${file.path}: create it with -Dkmap.api.update=true (see PublicApiCheck) and commit it")
        val expected = file.readText()
        if (expected != actual) {
            throw AssertionError(
                "the public API of $module changed (${file.path}); if that is intended, update the dump with " +
                    "-Dkmap.api.update=true and commit it:\n" + diff(expected.lines(), actual.lines()),
            )
        }
    }

    companion object {
        /** The dump of the class files under [classes]. */
        fun dumpOf(classes: File): String {
            val files = classes.walkTopDown()
                .filter { it.isFile && it.name.endsWith(".class") && it.name != "module-info.class" }
                .filter { "/internal/" !in it.relativeTo(classes).invariantSeparatorsPath.let { p -> "/$p" } }
                .sortedBy { it.path }.toList()
            val signatures = files.asSequence().map { it.inputStream() }.loadApiFromJvmClasses()
                .filterOutNonPublic()
                .filterOutAnnotated(setOf("dev/kmap/dsl/InternalKmapApi"))
            return StringBuilder().also { signatures.dump(it) }.toString()
        }

        /** A plain line diff (`-` dump, `+` now) with a line of context, enough to see what changed. */
        fun diff(old: List<String>, new: List<String>): String {
            val n = old.size
            val m = new.size
            val lcs = Array(n + 1) { IntArray(m + 1) }
            for (i in n - 1 downTo 0) for (j in m - 1 downTo 0) {
                lcs[i][j] = if (old[i] == new[j]) lcs[i + 1][j + 1] + 1 else maxOf(lcs[i + 1][j], lcs[i][j + 1])
            }
            val out = StringBuilder()
            var i = 0
            var j = 0
            while (i < n || j < m) {
                when {
                    i < n && j < m && old[i] == new[j] -> { i++; j++ }
                    j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) -> { out.append("+ ").append(new[j]).append('\n'); j++ }
                    else -> { out.append("- ").append(old[i]).append('\n'); i++ }
                }
            }
            return out.toString()
        }
    }
}
