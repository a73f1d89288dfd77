package dev.kmap.store.internal

import org.junit.jupiter.api.Test
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
}
