package dev.kmap.report.testing

import dev.kmap.report.format.OutputValidation
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** What every front end's outputs must be after a scan that failed or was stopped midway. */
object Documents {
    /**
     * [xml] is nmap XML valid against nmap's DTD, closed as an interrupted scan; [withHost]: the
     * host scanned so far is in it (a graceful stop reports it; a failure may lose it).
     */
    fun assertInterruptedXml(xml: File, withHost: Boolean = false) {
        val text = xml.readText()
        OutputValidation.assertWellFormedXml(text)
        OutputValidation.assertValidNmapXml(text)
        assertTrue("exit=\"error\"" in text, "the XML says the scan did not complete: ${text.takeLast(300)}")
        if (withHost) assertTrue("<host" in text, "the host scanned so far is in the XML")
    }

    /** [json] is kmap JSON valid against its schema, with `stats.interrupted` true. */
    fun assertInterruptedJson(json: File) {
        val text = json.readText()
        OutputValidation.assertValidKmapJson(text)
        assertEquals(true, OutputValidation.parseJson(text)["stats"]["interrupted"].asBoolean())
    }
}
