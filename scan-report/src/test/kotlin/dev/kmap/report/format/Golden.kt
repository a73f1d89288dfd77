package dev.kmap.report.format

import java.io.File
import kotlin.test.assertEquals

/**
 * Golden files in src/test/resources/golden. Run with `-Dkmap.golden.update=true` to rewrite
 * them after an intended change, then review the diff.
 */
object Golden {
    private val dir = File("src/test/resources/golden")

    fun assertMatches(name: String, actual: String) {
        if (System.getProperty("kmap.golden.update") == "true") {
            dir.mkdirs()
            File(dir, name).writeText(actual)
            return
        }
        val expected = Golden::class.java.getResource("/golden/$name")?.readText()
            ?: error("golden file golden/$name is missing: run the test with -Dkmap.golden.update=true")
        assertEquals(expected, actual, "output differs from golden/$name (rerun with -Dkmap.golden.update=true if intended)")
    }
}
