package dev.kmap.store.internal

import org.junit.jupiter.api.Test
import java.io.File
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The class list a class-data archive's training run loads names classes that exist (a driver upgrade renames some). */
class WarmupTest {
    @Test
    fun `every class named for the archive's training run loads`() {
        val names = javaClass.getResourceAsStream(StoreDatabase.Warmup.POSTGRES_CLASSES)!!.bufferedReader().readLines()
            .map { it.trim() }.filter { it.isNotEmpty() && !it.startsWith("#") }
        assertTrue(names.size > 200, "${names.size} names")
        assertTrue("org.postgresql.core.v3.QueryExecutorImpl" in names)
        val missing = names.filter { runCatching { Class.forName(it, false, javaClass.classLoader) }.isFailure }
        assertEquals(emptyList(), missing, "gone from the class path: regenerate postgresql-classes.txt (see its header)")
        assertEquals(names.size, StoreDatabase.Warmup.loadPostgresClasses())
    }

    @Test
    fun `the training run loads the PostgreSQL classes also when it opens its store ahead`() {
        // bin/kmap's training run records into an SQLite store it opens ahead, so the warm-up gets
        // drivers = false; the archive must hold the PostgreSQL classes all the same
        val log = File.createTempFile("kmap-warmup", ".log")
        try {
            for (training in listOf(true, false)) {
                val java = File(System.getProperty("java.home"), "bin/java").path
                val p = ProcessBuilder(
                    java, "-Xshare:off", "-Xlog:class+load=info:file=${log.path}", "-Dkmap.cds.training=$training",
                    "-cp", System.getProperty("java.class.path"), "dev.kmap.store.internal.WarmupTrainingMain",
                ).redirectErrorStream(true).start()
                val out = p.inputStream.bufferedReader().readText()
                assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out)
                // the child itself loads one driver class (and its supertypes); the training run's list some 200 more
                val driverClasses = log.readLines().count { " org.postgresql." in it }
                if (training) assertTrue(driverClasses > 150, "training: $driverClasses driver classes loaded") else assertTrue(driverClasses < 30, "not training: $driverClasses")
            }
        } finally {
            log.delete()
        }
    }
}
