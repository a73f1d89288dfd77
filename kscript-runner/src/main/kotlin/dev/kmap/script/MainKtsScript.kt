package dev.kmap.script

import dev.kmap.script.internal.MainKtsCompilation
import dev.kmap.script.internal.MainKtsEvaluation
import kotlin.script.experimental.annotations.KotlinScript

/**
 * The base class of standard `*.main.kts` scripts run by `kmap run`: kotlin-main-kts's
 * conventions (`args`, `@file:DependsOn` and `@file:Repository` resolved from Maven repositories,
 * `@file:Import`), with kmap's API on the class path. Dependencies go to the local Maven
 * repository that `~/.m2/settings.xml` names (`~/.m2/repository` by default).
 *
 * ```kotlin
 * @file:DependsOn("org.json:json:20240303")
 * import dev.kmap.dsl.scan
 * println(args.toList())
 * ```
 */
@KotlinScript(
    displayName = "Kotlin main script (kmap)",
    fileExtension = "main.kts",
    compilationConfiguration = MainKtsCompilation::class,
    evaluationConfiguration = MainKtsEvaluation::class,
)
public abstract class MainKtsScript(
    /** The words after the script's file on the command line. */
    public val args: Array<String>,
)
