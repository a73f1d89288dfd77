package dev.kmap.lab

import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.platform.engine.TestExecutionResult
import org.junit.platform.engine.discovery.DiscoverySelectors
import org.junit.platform.launcher.TestExecutionListener
import org.junit.platform.launcher.TestIdentifier
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder
import org.junit.platform.launcher.core.LauncherFactory
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertTrue

/** Runs [LabUserSample] through the JUnit Platform with the machine check replaced. */
class LabExtensionTest {
    private class Recorder : TestExecutionListener {
        val skipped = mutableMapOf<String, String>()
        val finished = mutableMapOf<String, TestExecutionResult>()
        override fun executionSkipped(testIdentifier: TestIdentifier, reason: String) {
            skipped[testIdentifier.displayName] = reason
        }
        override fun executionFinished(testIdentifier: TestIdentifier, testExecutionResult: TestExecutionResult) {
            finished[testIdentifier.displayName] = testExecutionResult
        }
    }

    private fun runSample(): Recorder {
        val recorder = Recorder()
        val request = LauncherDiscoveryRequestBuilder.request()
            .selectors(DiscoverySelectors.selectClass(LabUserSample::class.java)).build()
        LauncherFactory.create().execute(request, recorder)
        return recorder
    }

    @BeforeEach
    fun quiet() {
        LabExtension.quiet = true
        LabExtension.requiredOverride = false // independent of KMAP_LAB_REQUIRED in the environment
    }

    @AfterEach
    fun reset() {
        LabExtension.quiet = false
        LabExtension.requiredOverride = null
        LabPreconditions.override = null
        System.clearProperty("kmap.lab.required")
        System.clearProperty("kmap.lab.skip")
        LabUserSample.ran = false
    }

    @Test
    fun `without root the lab tests are skipped with the reason, not run`() {
        val reason = "lab tests need root (network namespaces); run bin/test as root"
        LabPreconditions.override = { reason }
        val r = runSample()
        assertEquals(reason, r.skipped["LabUserSample"], "skipped: ${r.skipped} finished: ${r.finished}")
        assertFalse(LabUserSample.ran)
    }

    @Test
    fun `-Dkmap_lab_skip=true skips them`() {
        System.setProperty("kmap.lab.skip", "true")
        val r = runSample()
        assertEquals("lab tests disabled by -Dkmap.lab.skip=true", r.skipped["LabUserSample"])
        assertFalse(LabUserSample.ran)
    }

    @Test
    fun `when the lab is required an unusable machine fails the tests`() {
        LabPreconditions.override = { "lab tests need root (network namespaces); run bin/test as root" }
        LabExtension.requiredOverride = null
        System.setProperty("kmap.lab.required", "true")
        val r = runSample()
        assertTrue(r.skipped.isEmpty(), "skipped: ${r.skipped}")
        val result = r.finished["LabUserSample"]!!
        assertEquals(TestExecutionResult.Status.FAILED, result.status)
        assertIs<LabUnavailableException>(result.throwable.get())
        assertFalse(LabUserSample.ran)
    }
}
