package dev.kmap.store.internal

import java.util.UUID
import kotlin.test.Test
import kotlin.test.assertEquals

/** New scan groups get distinct random (version 4, IETF variant) UUIDs. */
class StartQueriesTest {
    @Test
    fun `group ids are random version 4 UUIDs`() {
        val ids = List(1_000) { StartQueries.newGroupId() }
        assertEquals(ids.size, ids.toSet().size)
        for (id in ids) {
            val u = UUID.fromString(id)
            assertEquals(4, u.version())
            assertEquals(2, u.variant())
            assertEquals(id, u.toString())
        }
    }
}
