package dev.kmap.engine

import dev.kmap.dsl.KmapExtensionPoint
import dev.kmap.dsl.ScanPlan
import java.util.ServiceLoader

/**
 * Contributes stages from the class path (a `java.util.ServiceLoader` service: list the class in
 * `META-INF/services/dev.kmap.engine.StageProvider`). kscript-runner ships one, so `scan(plan)`
 * with kscript-runner on the class path runs `plan.scripts` as the CLI does. A provided stage is
 * used only for plan fields that no stage in [EngineConfig.stages] runs, so an explicitly
 * registered stage (the CLI's scripts, with its options) always wins. A provided stage that is
 * [AutoCloseable] is closed when the scan ends (it may hold a process or sockets); make expensive
 * resources on first [ScanStage.run], since a stage that is not used is dropped unclosed.
 *
 * ```kotlin
 * @OptIn(KmapExtensionPoint::class)
 * class BannerStages : StageProvider {
 *     override fun stagesFor(plan: ScanPlan) = if (plan.serviceDetection != null) listOf(BannerStage) else emptyList()
 * }
 * ```
 */
@SubclassOptInRequired(KmapExtensionPoint::class)
public interface StageProvider {
    /** The stages [plan] needs from this provider (often none). Called once per scan. */
    public fun stagesFor(plan: ScanPlan): List<ScanStage>

    /** The providers on the class path. */
    public companion object {
        private val found: List<StageProvider> by lazy {
            ServiceLoader.load(StageProvider::class.java, StageProvider::class.java.classLoader).toList()
        }

        // Looking providers up reads the directory of every jar on the class path (tens of ms for
        // a large one): the list is looked up when it is first read, not when a config is made.
        private object OnClassPath : AbstractList<StageProvider>() {
            override val size: Int get() = found.size
            override fun get(index: Int): StageProvider = found[index]
        }

        /**
         * Every provider listed on the class path (looked up once per process, when the list is first read).
         *
         * ```kotlin
         * val config = EngineConfig(stageProviders = StageProvider.onClassPath())
         * ```
         */
        public fun onClassPath(): List<StageProvider> = OnClassPath
    }
}
