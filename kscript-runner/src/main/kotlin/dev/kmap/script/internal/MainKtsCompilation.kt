package dev.kmap.script.internal

import dev.kmap.script.Import
import kotlinx.coroutines.runBlocking
import java.io.File
import kotlin.script.experimental.api.ResultWithDiagnostics
import kotlin.script.experimental.api.ScriptCollectedData
import kotlin.script.experimental.api.ScriptCompilationConfiguration
import kotlin.script.experimental.api.ScriptConfigurationRefinementContext
import kotlin.script.experimental.api.ScriptEvaluationConfiguration
import kotlin.script.experimental.api.asSuccess
import kotlin.script.experimental.api.collectedAnnotations
import kotlin.script.experimental.api.compilerOptions
import kotlin.script.experimental.api.defaultImports
import kotlin.script.experimental.api.dependencies
import kotlin.script.experimental.api.importScripts
import kotlin.script.experimental.api.onSuccess
import kotlin.script.experimental.api.refineConfiguration
import kotlin.script.experimental.api.with
import kotlin.script.experimental.dependencies.CompoundDependenciesResolver
import kotlin.script.experimental.dependencies.DependsOn
import kotlin.script.experimental.dependencies.FileSystemDependenciesResolver
import kotlin.script.experimental.dependencies.Repository
import kotlin.script.experimental.dependencies.maven.MavenDependenciesResolver
import kotlin.script.experimental.dependencies.resolveFromScriptSourceAnnotations
import kotlin.script.experimental.host.FileBasedScriptSource
import kotlin.script.experimental.host.FileScriptSource
import kotlin.script.experimental.jvm.JvmDependency
import kotlin.script.experimental.jvm.baseClassLoader
import kotlin.script.experimental.jvm.jvm
import kotlin.script.experimental.jvm.updateClasspath

/** kotlin-main-kts's compilation: its annotations, resolved before compiling; kmap's API on the class path. */
internal class MainKtsCompilation : ScriptCompilationConfiguration({
    defaultImports(DependsOn::class, Repository::class, Import::class)
    jvm { updateClasspath(ScriptClasspath.kmap) }
    compilerOptions("-jvm-target", "17")
    refineConfiguration { onAnnotations(DependsOn::class, Repository::class, Import::class, handler = ::refine) }
}) {
    companion object {
        private val resolver by lazy { CompoundDependenciesResolver(FileSystemDependenciesResolver(), MavenDependenciesResolver()) }

        fun refine(context: ScriptConfigurationRefinementContext): ResultWithDiagnostics<ScriptCompilationConfiguration> {
            val annotations = context.collectedData?.get(ScriptCollectedData.collectedAnnotations).orEmpty()
            if (annotations.isEmpty()) return context.compilationConfiguration.asSuccess()
            val dir = (context.script as? FileBasedScriptSource)?.file?.absoluteFile?.parentFile
            val imports = annotations.mapNotNull { it.annotation as? Import }.flatMap { it.paths.toList() }
                .map { FileScriptSource(if (File(it).isAbsolute || dir == null) File(it) else File(dir, it)) }
            val deps = annotations.filter { it.annotation is DependsOn || it.annotation is Repository }
            return runBlocking { resolver.resolveFromScriptSourceAnnotations(deps) }.onSuccess { files ->
                context.compilationConfiguration.with {
                    if (files.isNotEmpty()) dependencies.append(JvmDependency(files))
                    if (imports.isNotEmpty()) importScripts.append(imports)
                }.asSuccess()
            }
        }
    }
}

/** main.kts scripts run on top of kmap's class loader; their `@file:DependsOn` jars are loaded with them. */
internal class MainKtsEvaluation : ScriptEvaluationConfiguration({
    jvm { baseClassLoader(MainKtsEvaluation::class.java.classLoader) }
})
