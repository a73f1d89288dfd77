package dev.kmap.dsl

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** `-sL` and `--send-ip` in the plan: DSL, Java builder, JSON (left out when unset, so old plans stay byte-identical). */
class ListScanPlanTest {
    @Test
    fun `list scan and send-ip round-trip and stay out of JSON when unset`() {
        val plan = scan { targets("10.0.0.0/30"); listOnly(); sendIp() }
        assertTrue(plan.listOnly)
        assertTrue(plan.discovery.sendIp)
        assertTrue(plan.ports.isEmpty(), "a list scan has no ports")
        assertEquals(plan, ScanPlan.fromJson(plan.toJson()))
        val plain = scan { targets("10.0.0.1"); ports("22") }
        assertFalse("listOnly" in plain.toJson() || "sendIp" in plain.toJson(), plain.toJson())
        assertEquals(plan, ScanPlanBuilder().targets("10.0.0.0/30").listOnly().sendIp().build())
        assertEquals(true, ScanPlanBuilder().targets("::1").ipv6().ports("22").build().preferIpv6)
    }

    @Test
    fun `a list scan combines with no port scan or ping scan`() {
        assertEquals(
            "list scan -sL cannot be combined with ping scan -sn (-sL sends nothing)",
            assertFailsWith<InvalidSpecException> { scan { targets("10.0.0.1"); listOnly(); pingOnly() } }.message,
        )
        assertEquals(
            "list scan -sL cannot be combined with port scan -sS (-sL sends nothing)",
            assertFailsWith<InvalidSpecException> { scan { targets("10.0.0.1"); listOnly(); syn() } }.message,
        )
    }
}
