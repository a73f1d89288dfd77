package dev.kmap

import dev.kmap.dsl.ScanBuilder
import dev.kmap.dsl.ScanPlan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanEvent
import dev.kmap.engine.ScanReport
import dev.kmap.engine.scanFlow
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.future.future
import kotlinx.coroutines.runBlocking
import java.util.concurrent.CompletableFuture
import dev.kmap.dsl.scan as plan
import dev.kmap.engine.scan as run

/**
 * The entry point: scans written in the DSL directly, and the Java facade.
 *
 * Kotlin:
 * ```kotlin
 * val report = kmap.scan { targets("127.0.0.1"); ports("1-1024"); connect() }
 * ```
 * Java:
 * ```java
 * ScanReport r = Kmap.scanBlocking(new ScanPlanBuilder().targets("127.0.0.1").ports("22,80").connect().build());
 * CompletableFuture<ScanReport> f = Kmap.scanAsync(plan);
 * ```
 */
public object Kmap {
    /** Builds a plan with the DSL and runs it. */
    public suspend fun scan(config: EngineConfig = EngineConfig(), block: ScanBuilder.() -> Unit): ScanReport =
        run(plan(block), config)

    /** Builds a plan with the DSL and streams its events. */
    public fun scanFlow(config: EngineConfig = EngineConfig(), block: ScanBuilder.() -> Unit): Flow<ScanEvent> =
        scanFlow(plan(block), config)

    /**
     * Java: runs [plan] in the background. The future owns the scan: cancelling it cancels the
     * scan (its sessions close, its threads end), and its scope ends with it, so nothing is left
     * running or referenced once the future completes.
     */
    @JvmStatic
    @JvmOverloads
    public fun scanAsync(plan: ScanPlan, config: EngineConfig = EngineConfig()): CompletableFuture<ScanReport> {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val future = scope.future { run(plan, config) }
        future.whenComplete { _, _ -> scope.cancel() }
        return future
    }

    /** Java: runs [plan] and waits for the report. */
    @JvmStatic
    @JvmOverloads
    public fun scanBlocking(plan: ScanPlan, config: EngineConfig = EngineConfig()): ScanReport =
        runBlocking { run(plan, config) }
}

/**
 * [Kmap] under a lower-case name, so scans read `kmap.scan { ... }`.
 *
 * ```kotlin
 * val report = kmap.scan { targets("127.0.0.1"); ports("22"); connect() }
 * ```
 */
public val kmap: Kmap get() = Kmap
