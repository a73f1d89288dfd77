package dev.kmap.lab

import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.extension.ExtendWith
import kotlin.reflect.KClass

/**
 * Supplies the [LabConfig] for tests annotated with [RequiresLab]. Implement it as an
 * `object` or a class with a no-argument constructor.
 *
 * ```kotlin
 * object UdpLab : LabConfigProvider {
 *     override fun config() = LabConfig(prefix = "kmu", net4 = "10.204.0", net6 = "fd10:204::",
 *         anyIpPrefix = null, liftIcmpRateLimit = true)
 * }
 * ```
 */
public fun interface LabConfigProvider {
    /** The configuration of the lab the annotated tests need. */
    public fun config(): LabConfig
}

/**
 * The default lab: [LabConfig.DEFAULT] with the system property overrides of
 * [LabConfig.withSystemOverrides] (`-Dkmap.lab.prefix=...` and friends).
 *
 * ```kotlin
 * @RequiresLab(config = DefaultLabConfigProvider::class)   // same as plain @RequiresLab
 * ```
 */
public class DefaultLabConfigProvider : LabConfigProvider {
    override fun config(): LabConfig = LabConfig.DEFAULT.withSystemOverrides()
}

/**
 * Marks a test class or method as needing the network-namespace [Lab]. The lab of the
 * chosen [config] starts once per test JVM, lazily before the first such test, and is torn
 * down when the JVM's tests are done. A test can take the [Lab] as a parameter (also in
 * constructors and `@BeforeAll` methods). Where no lab can be built (not root, tools missing)
 * the tests are SKIPPED with the reason; with `-Dkmap.lab.required=true` (or the environment
 * variable `KMAP_LAB_REQUIRED=1`) they fail instead. `-Dkmap.lab.skip=true` skips them.
 * Tagged `lab`, so `mvn test -DexcludedGroups=lab` leaves them out.
 *
 * ```kotlin
 * @RequiresLab
 * class ConnectScanTest {
 *     @Test
 *     fun `finds the open ports`(lab: Lab) {
 *         val host = lab.host(1)
 *         Socket(host.inet4, 80).use { assertEquals(host.banner(80), it.getInputStream().bufferedReader().readLine()) }
 *     }
 * }
 * ```
 *
 * @property config the provider of the lab configuration; one JVM can use several labs with
 *   different prefixes and addresses, but one prefix always with the same configuration.
 */
@Target(AnnotationTarget.CLASS, AnnotationTarget.FUNCTION, AnnotationTarget.ANNOTATION_CLASS)
@Retention(AnnotationRetention.RUNTIME)
@MustBeDocumented
@ExtendWith(LabExtension::class)
@Tag("lab")
public annotation class RequiresLab(
    val config: KClass<out LabConfigProvider> = DefaultLabConfigProvider::class,
)
