package dev.kmap.script.internal

import kotlin.script.experimental.api.ScriptCompilationConfiguration
import kotlin.script.experimental.api.ScriptEvaluationConfiguration
import kotlin.script.experimental.api.compilerOptions
import kotlin.script.experimental.api.defaultImports
import kotlin.script.experimental.api.scriptsInstancesSharing
import kotlin.script.experimental.jvm.baseClassLoader
import kotlin.script.experimental.jvm.jvm
import kotlin.script.experimental.jvm.loadDependencies
import kotlin.script.experimental.jvm.updateClasspath

/** How `*.scan.kts` compile: the DSL, the result model and the script API imported by default. */
internal class ScanScriptCompilation : ScriptCompilationConfiguration({
    defaultImports(*DEFAULT_IMPORTS.toTypedArray())
    jvm { updateClasspath(ScriptClasspath.kmap) }
    compilerOptions("-jvm-target", "17")
}) {
    companion object {
        val DEFAULT_IMPORTS = listOf(
            "dev.kmap.dsl.*", "dev.kmap.engine.*", "dev.kmap.report.*", "dev.kmap.script.*",
            "kotlin.time.Duration.Companion.seconds", "kotlin.time.Duration.Companion.milliseconds",
        )
    }
}

/** Scripts run in kmap's own class loader (their classes are all there), each run a new instance. */
internal class ScanScriptEvaluation : ScriptEvaluationConfiguration({
    scriptsInstancesSharing(false)
    jvm {
        baseClassLoader(ScanScriptEvaluation::class.java.classLoader)
        loadDependencies(false)
    }
})
