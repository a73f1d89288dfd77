package dev.kmap

import dev.kmap.dsl.ScanBuilder
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanReport
import dev.kmap.report.ScanJob
import dev.kmap.report.internal.KmapVersion
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.future.future
import kotlinx.coroutines.runBlocking
import java.util.concurrent.CompletableFuture
import dev.kmap.dsl.scan as plan

/**
 * The entry point: scans written in the DSL directly, and the Java facade. Every call runs the
 * whole plan as the `kmap` command does, [ScanPlan.outputs] included: they are checked and
 * opened before the first packet, written as hosts finish and closed well-formed even when the
 * scan fails or is cancelled (see [ScanJob]). It lives above the engine (module `scan-report`)
 * because the engine cannot see the formats; the engine's own `scan()`/`scanFlow()` refuse a
 * plan with outputs instead of ignoring them.
 *
 * Kotlin:
 * ```kotlin
 * val report = kmap.scan { targets("127.0.0.1"); ports("1-1024"); connect(); output { xml("scan.xml") } }
 * ```
 * Java:
 * ```java
 * ScanReport r = Kmap.scanBlocking(new ScanPlanBuilder().targets("127.0.0.1").ports("22,80").connect().build());
 * CompletableFuture<ScanReport> f = Kmap.scanAsync(plan);
 * ```
 */
public object Kmap {
    /** The kmap version (the one reports name). */
    @JvmField
    public val VERSION: String = KmapVersion.text

    /** Runs [plan], writing its outputs, and returns the whole report. */
    public suspend fun scan(plan: ScanPlan, config: EngineConfig = EngineConfig()): ScanReport = ScanJob(plan).report(config)

    /** Builds a plan with the DSL and runs it (outputs included). */
    public suspend fun scan(config: EngineConfig = EngineConfig(), block: ScanBuilder.() -> Unit): ScanReport =
        scan(plan(block), config)

    /** Streams [plan]'s events while its outputs are written; cold: each collection scans once. */
    public fun scanFlow(plan: ScanPlan, config: EngineConfig = EngineConfig()): Flow<ScanEvent> = ScanJob(plan).flow(config)

    /** Builds a plan with the DSL and streams its events (outputs included). */
    public fun scanFlow(config: EngineConfig = EngineConfig(), block: ScanBuilder.() -> Unit): Flow<ScanEvent> =
        scanFlow(plan(block), config)

    /**
     * Java: runs [plan] in the background. The future owns the scan: cancelling it cancels the
     * scan (its sessions close, its threads end, outputs close as interrupted), and its scope ends
     * with it, so nothing is left running or referenced once the future completes.
     */
    @JvmStatic
    @JvmOverloads
    public fun scanAsync(plan: ScanPlan, config: EngineConfig = EngineConfig()): CompletableFuture<ScanReport> {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val future = scope.future { scan(plan, config) }
        future.whenComplete { _, _ -> scope.cancel() }
        return future
    }

    /** Java: runs [plan] and waits for the report. */
    @JvmStatic
    @JvmOverloads
    public fun scanBlocking(plan: ScanPlan, config: EngineConfig = EngineConfig()): ScanReport =
        runBlocking { scan(plan, config) }
}

/**
 * [Kmap] under a lower-case name, so scans read `kmap.scan { ... }`.
 *
 * ```kotlin
 * val report = kmap.scan { targets("127.0.0.1"); ports("22"); connect() }
 * ```
 */
public val kmap: Kmap get() = Kmap
