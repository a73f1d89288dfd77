package dev.kmap.report.format

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.node.ObjectNode
import com.networknt.schema.JsonSchemaFactory
import com.networknt.schema.SchemaValidatorsConfig
import com.networknt.schema.SpecVersion
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.xml.sax.ErrorHandler
import org.xml.sax.InputSource
import org.xml.sax.SAXParseException
import java.io.File
import java.io.StringReader
import javax.xml.parsers.DocumentBuilderFactory
import kotlin.test.assertEquals
import kotlin.test.fail

/** Validators the format tests share: nmap's DTD, the JSON Schemas, plain well-formedness. */
object OutputValidation {
    /** Where Debian's nmap package installs the DTD (bin/install-deps installs nmap for bin/test). */
    val NMAP_DTD = File("/usr/share/nmap/nmap.dtd")

    private val mapper = ObjectMapper()
    private val config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build()

    /**
     * Validates [xml] against nmap's DTD. nmap writes `<!DOCTYPE nmaprun>` without a system id,
     * so the DTD is attached here, as the DTD's own header suggests. Skips (with the reason) only
     * when the DTD file is absent.
     */
    fun assertValidNmapXml(xml: String) {
        assumeTrue(NMAP_DTD.isFile, "nmap's DTD is not installed at $NMAP_DTD (apt-get install nmap; bin/test does)")
        val withDtd = xml.replaceFirst("<!DOCTYPE nmaprun>", "<!DOCTYPE nmaprun SYSTEM \"nmap.dtd\">")
        check(withDtd != xml) { "no <!DOCTYPE nmaprun> line" }
        val factory = DocumentBuilderFactory.newInstance().apply { isValidating = true }
        val builder = factory.newDocumentBuilder()
        builder.setEntityResolver { _, systemId ->
            check(systemId.endsWith("nmap.dtd")) { "unexpected entity $systemId" }
            InputSource(NMAP_DTD.inputStream()).apply { this.systemId = NMAP_DTD.toURI().toString() }
        }
        val errors = ArrayList<String>()
        builder.setErrorHandler(object : ErrorHandler {
            override fun warning(e: SAXParseException) {}
            override fun error(e: SAXParseException) { errors += "line ${e.lineNumber}: ${e.message}" }
            override fun fatalError(e: SAXParseException) { errors += "line ${e.lineNumber}: ${e.message}"; throw e }
        })
        builder.parse(InputSource(StringReader(withDtd)))
        if (errors.isNotEmpty()) fail("XML is not valid against nmap.dtd:\n" + errors.joinToString("\n"))
    }

    /** Parses [xml] (no DTD): fails unless it is well-formed. */
    fun assertWellFormedXml(xml: String) {
        val factory = DocumentBuilderFactory.newInstance()
        factory.newDocumentBuilder().apply { setErrorHandler(null) }.parse(InputSource(StringReader(xml)))
    }

    fun parseJson(text: String): JsonNode = mapper.readTree(text)

    /** Validates a `-oJ` document against the schema shipped in scan-engine. */
    fun assertValidKmapJson(text: String) = assertValid(kmapSchema(null), parseJson(text), "kmap JSON")

    /** Validates one NDJSON host line against the schema's `host` definition. */
    fun assertValidKmapHost(line: String) = assertValid(kmapSchema("host"), parseJson(line), "NDJSON host")

    /** Validates the NDJSON stats line. */
    fun assertValidKmapStats(node: JsonNode) = assertValid(kmapSchema("stats"), node, "NDJSON stats")

    /** Validates [text] against the official SARIF 2.1.0 schema (vendored in test resources). */
    fun assertValidSarif(text: String) {
        val schemaText = javaClass.getResource("/sarif/sarif-schema-2.1.0.json")!!.readText()
        val schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schemaText, config)
        assertValid(schema, parseJson(text), "SARIF")
    }

    private fun kmapSchema(def: String?): com.networknt.schema.JsonSchema {
        val root = mapper.readTree(JsonFormat::class.java.getResource(JsonFormat.SCHEMA_RESOURCE)!!.readText()) as ObjectNode
        val node = if (def == null) root else mapper.createObjectNode().apply {
            put("\$schema", root["\$schema"].asText())
            set<JsonNode>("\$defs", root["\$defs"])
            put("\$ref", "#/\$defs/$def")
        }
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node, config)
    }

    private fun assertValid(schema: com.networknt.schema.JsonSchema, node: JsonNode, what: String) {
        val errors = schema.validate(node)
        assertEquals(emptyList(), errors.map { it.toString() }, "$what does not match its schema")
    }
}
