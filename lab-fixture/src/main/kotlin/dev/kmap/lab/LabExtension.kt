package dev.kmap.lab

import org.junit.jupiter.api.Assumptions
import org.junit.jupiter.api.extension.BeforeAllCallback
import org.junit.jupiter.api.extension.BeforeEachCallback
import org.junit.jupiter.api.extension.ConditionEvaluationResult
import org.junit.jupiter.api.extension.ExecutionCondition
import org.junit.jupiter.api.extension.ExtensionConfigurationException
import org.junit.jupiter.api.extension.ExtensionContext
import org.junit.jupiter.api.extension.ParameterContext
import org.junit.jupiter.api.extension.ParameterResolver
import org.junit.platform.commons.support.AnnotationSupport
import java.util.concurrent.atomic.AtomicBoolean

/**
 * The JUnit 5 extension behind [RequiresLab]: skips lab tests where no lab can be built,
 * starts one [Lab] per configuration per test JVM (kept in the root [ExtensionContext.Store],
 * torn down at the end) and resolves [Lab] parameters. Registered by [RequiresLab]; plain
 * `@ExtendWith(LabExtension::class)` uses the default configuration.
 *
 * ```kotlin
 * @ExtendWith(LabExtension::class)
 * class SweepTest {
 *     @Test fun sweep(lab: Lab) { assertEquals("10.202.77.9", lab.anyIpAddress(77 * 256 + 9).hostAddress) }
 * }
 * ```
 */
public class LabExtension : ExecutionCondition, BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    override fun evaluateExecutionCondition(context: ExtensionContext): ConditionEvaluationResult {
        val reason = skipReason() ?: return ConditionEvaluationResult.enabled("a lab can be built here (or is required)")
        warnOnce(reason)
        return ConditionEvaluationResult.disabled(reason)
    }

    override fun beforeAll(context: ExtensionContext) {
        labFor(context)
    }

    override fun beforeEach(context: ExtensionContext) {
        labFor(context)
    }

    override fun supportsParameter(parameterContext: ParameterContext, extensionContext: ExtensionContext): Boolean =
        parameterContext.parameter.type == Lab::class.java

    override fun resolveParameter(parameterContext: ParameterContext, extensionContext: ExtensionContext): Any =
        labFor(extensionContext)

    /** The running lab for [context]'s configuration, started on first use. */
    private fun labFor(context: ExtensionContext): Lab {
        skipReason()?.let { reason ->
            warnOnce(reason)
            return Assumptions.abort(reason) // the test is skipped, with the reason
        }
        val config = configFor(context)
        if (!required()) {
            LabPreconditions.servicesUnavailableReason(config.services.values.flatten().toSet())?.let { reason ->
                return Assumptions.abort(reason)
            }
        }
        val store = context.root.getStore(NAMESPACE)
        val holder = store.getOrComputeIfAbsent("lab:${config.prefix}", { LabHolder(Lab(config)) }, LabHolder::class.java)
        if (holder.lab.config != config) {
            throw ExtensionConfigurationException(
                "two different lab configurations use prefix '${config.prefix}' in one test JVM:\n  " +
                    "${holder.lab.config}\n  $config\ngive each its own prefix, net4, net6 and anyIpPrefix",
            )
        }
        return holder.get()
    }

    private fun configFor(context: ExtensionContext): LabConfig {
        var ctx: ExtensionContext? = context
        while (ctx != null) {
            val ann = AnnotationSupport.findAnnotation(ctx.element, RequiresLab::class.java)
            if (ann.isPresent) return provide(ann.get().config.java)
            ctx = ctx.parent.orElse(null)
        }
        return DefaultLabConfigProvider().config()
    }

    private fun provide(cls: Class<out LabConfigProvider>): LabConfig {
        val provider = try {
            val instance = runCatching { cls.getDeclaredField("INSTANCE") }.getOrNull() // a Kotlin object
            if (instance != null && java.lang.reflect.Modifier.isStatic(instance.modifiers)) {
                instance.isAccessible = true
                instance.get(null) as LabConfigProvider
            } else {
                cls.getDeclaredConstructor().also { it.isAccessible = true }.newInstance()
            }
        } catch (e: ReflectiveOperationException) {
            throw ExtensionConfigurationException("cannot create ${cls.name}: needs to be an object or have a no-argument constructor", e)
        }
        return provider.config()
    }

    /** One lab in the root store; started lazily once, failure remembered, torn down at the end. */
    private class LabHolder(val lab: Lab) : ExtensionContext.Store.CloseableResource {
        private var started = false
        private var failure: Throwable? = null

        @Synchronized
        fun get(): Lab {
            failure?.let { throw LabException("the lab '${lab.prefix}' failed to start earlier in this JVM: ${it.message}", it) }
            if (!started) {
                try {
                    lab.up()
                    started = true
                } catch (e: Throwable) {
                    failure = e
                    throw e
                }
            }
            return lab
        }

        @Synchronized
        override fun close() {
            if (started) lab.down()
        }
    }

    internal companion object {
        private val NAMESPACE: ExtensionContext.Namespace = ExtensionContext.Namespace.create(LabExtension::class.java)
        private val warned = AtomicBoolean(false)

        /** Test hook: no "SKIPPING" line on stderr (for tests that make the extension skip on purpose). */
        @Volatile
        internal var quiet: Boolean = false

        /**
         * Why lab tests are skipped here, or null to run them. When the lab is required
         * (`kmap.lab.required`), an unusable machine is not a reason: `Lab.up` then fails.
         */
        internal fun skipReason(): String? {
            if (System.getProperty("kmap.lab.skip")?.lowercase() == "true") return "lab tests disabled by -Dkmap.lab.skip=true"
            val reason = LabPreconditions.unavailableReason() ?: return null
            return if (required()) null else reason
        }

        /** Test hook: when set, replaces `kmap.lab.required` / `KMAP_LAB_REQUIRED`. */
        @Volatile
        internal var requiredOverride: Boolean? = null

        internal fun required(): Boolean = requiredOverride ?: (
            System.getProperty("kmap.lab.required")?.lowercase() == "true" ||
                System.getenv("KMAP_LAB_REQUIRED").let { it == "1" || it?.lowercase() == "true" }
            )

        private fun warnOnce(reason: String) {
            if (!quiet && warned.compareAndSet(false, true)) System.err.println("[kmap lab] SKIPPING lab tests: $reason")
        }
    }
}
