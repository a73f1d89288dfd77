package dev.kmap.lab

import org.junit.jupiter.api.Assumptions
import org.junit.jupiter.api.extension.ConditionEvaluationResult
import org.junit.jupiter.api.extension.ExecutionCondition
import org.junit.jupiter.api.extension.ExtensionContext
import org.junit.jupiter.api.extension.ParameterContext
import org.junit.jupiter.api.extension.ParameterResolver

/**
 * Resolves [PostgresServer] parameters: one server per test JVM, started on first use and stopped
 * at the end. Where PostgreSQL is not installed the test is skipped with the reason, unless
 * `KMAP_LAB_REQUIRED=1` (as for the lab), which makes it fail; `-Dkmap.lab.skip=true` skips it.
 *
 * ```kotlin
 * @ExtendWith(PostgresExtension::class)
 * class StoreTest { @Test fun roundTrip(pg: PostgresServer) { val url = pg.newDatabase() } }
 * ```
 */
public class PostgresExtension : ParameterResolver, ExecutionCondition {
    override fun evaluateExecutionCondition(context: ExtensionContext): ConditionEvaluationResult =
        if (System.getProperty("kmap.lab.skip")?.lowercase() == "true") ConditionEvaluationResult.disabled("PostgreSQL tests disabled by -Dkmap.lab.skip=true")
        else ConditionEvaluationResult.enabled("PostgreSQL tests enabled")

    override fun supportsParameter(parameterContext: ParameterContext, extensionContext: ExtensionContext): Boolean =
        parameterContext.parameter.type == PostgresServer::class.java

    override fun resolveParameter(parameterContext: ParameterContext, extensionContext: ExtensionContext): Any {
        PostgresServer.unavailableReason()?.let { reason -> if (!LabExtension.required()) Assumptions.abort<Unit>(reason) }
        val store = extensionContext.root.getStore(ExtensionContext.Namespace.create(PostgresExtension::class.java))
        return store.getOrComputeIfAbsent("server", { Holder(PostgresServer.start()) }, Holder::class.java).server
    }

    private class Holder(val server: PostgresServer) : ExtensionContext.Store.CloseableResource {
        override fun close() = server.stop()
    }
}
