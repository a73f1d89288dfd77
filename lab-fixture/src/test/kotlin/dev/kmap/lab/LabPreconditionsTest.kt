package dev.kmap.lab

import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The skip decision, fed with made-up /proc/self/status contents and tool lookups. */
class LabPreconditionsTest {
    private fun status(uid: Int, capEff: String = "000001fffeffffff") =
        "Name:\tjava\nUid:\t$uid\t$uid\t$uid\t$uid\nGid:\t0\t0\t0\t0\nCapEff:\t$capEff\n"

    private val allTools: (String) -> String? = { "/usr/bin/$it" }

    @Test
    fun `root with all tools can run the lab`() {
        assertNull(LabPreconditions.reason("Linux", status(0), allTools))
    }

    @Test
    fun `not root is skipped with the reason`() {
        val r = LabPreconditions.reason("Linux", status(65534), allTools)
        assertNotNull(r)
        assertTrue(r.startsWith("lab tests need root (network namespaces); run bin/test as root"), r)
    }

    @Test
    fun `root without CAP_NET_ADMIN is skipped`() {
        val r = LabPreconditions.reason("Linux", status(0, "00000000a80425fb"), allTools) // docker default set
        assertNotNull(r)
        assertTrue(r.contains("CAP_NET_ADMIN and CAP_SYS_ADMIN"), r)
    }

    @Test
    fun `missing tools are named with their packages`() {
        val r = LabPreconditions.reason("Linux", status(0)) { if (it == "nft" || it == "python3") null else "/usr/sbin/$it" }
        assertEquals("lab tests need nft, python3; install nftables python3 (bin/install-deps does it) or run bin/test as root", r)
    }

    @Test
    fun `not Linux is skipped`() {
        assertNotNull(LabPreconditions.reason("Mac OS X", null, allTools))
    }

    @Test
    fun `no services needs no packages`() {
        assertEquals(null, LabPreconditions.servicesUnavailableReason(emptySet()))
    }
}
