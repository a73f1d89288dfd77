package dev.kmap.script.internal

import dev.kmap.script.ScriptCompileException
import kotlinx.coroutines.runBlocking
import java.io.File
import java.security.MessageDigest
import java.util.concurrent.atomic.AtomicInteger
import kotlin.script.experimental.api.CompiledScript
import kotlin.script.experimental.api.ResultWithDiagnostics
import kotlin.script.experimental.api.ScriptCompilationConfiguration
import kotlin.script.experimental.api.ScriptDiagnostic
import kotlin.script.experimental.api.SourceCode
import kotlin.script.experimental.jvm.defaultJvmScriptingHostConfiguration
import kotlin.script.experimental.jvm.impl.KJvmCompiledScript
import kotlin.script.experimental.jvmhost.JvmScriptCompiler
import kotlin.script.experimental.jvmhost.loadScriptFromJar
import kotlin.script.experimental.jvmhost.saveToJar

/**
 * Compiles scripts through a disk cache: one jar per script, named by the SHA-256 of everything
 * the compiled classes depend on (the text, the imported files and declared dependencies passed
 * as [keyExtra], the class path, Kotlin and JDK versions). A hit loads the jar and never touches
 * the compiler. [cacheDir] null disables the cache.
 */
internal class CompiledScripts(private val cacheDir: File?) {
    val compiles = AtomicInteger()
    val hits = AtomicInteger()
    private val compiler by lazy { JvmScriptCompiler(defaultJvmScriptingHostConfiguration) }

    fun compile(source: SourceCode, config: () -> ScriptCompilationConfiguration, keyExtra: String, classpath: List<File>): CompiledScript {
        val jar = cacheDir?.let { File(it, key(source.text, keyExtra, classpath) + ".jar") }
        if (jar != null && jar.isFile) {
            val loaded = runCatching { jar.loadScriptFromJar() }.getOrNull()
            if (loaded != null) { hits.incrementAndGet(); return loaded }
        }
        compiles.incrementAndGet()
        val name = source.name ?: "script"
        val result = synchronized(this) { runBlocking { compiler(source, config()) } }
        val compiled = when (result) {
            is ResultWithDiagnostics.Success -> result.value
            is ResultWithDiagnostics.Failure -> throw ScriptCompileException(errors(name, result.reports))
        }
        if (jar != null) runCatching {
            jar.parentFile.mkdirs()
            val tmp = File(jar.parentFile, "${jar.name}.${ProcessHandle.current().pid()}.tmp")
            (compiled as KJvmCompiledScript).saveToJar(tmp)
            if (!tmp.renameTo(jar)) tmp.delete()
        }
        return compiled
    }

    private fun key(text: String, extra: String, classpath: List<File>): String {
        val md = MessageDigest.getInstance("SHA-256")
        for (part in listOf(FORMAT, text, extra, KotlinVersion.CURRENT.toString(), System.getProperty("java.version"), System.getProperty("java.vm.name"), ScriptClasspath.fingerprint(classpath))) {
            md.update(part.toByteArray()); md.update(0)
        }
        return md.digest().joinToString("") { "%02x".format(it) }.take(40)
    }

    companion object {
        private const val FORMAT = "kmap-script-cache-1"

        /** `file:line:column: message` per error (warnings left out). */
        fun errors(name: String, reports: List<ScriptDiagnostic>): List<String> {
            val errors = reports.filter { it.severity >= ScriptDiagnostic.Severity.ERROR }.ifEmpty { reports }
            return errors.map { d ->
                val file = d.sourcePath?.let { File(it).name } ?: name
                val at = d.location?.start?.let { "$file:${it.line}:${it.col}" } ?: file
                "$at: ${d.message.lineSequence().first()}" + (d.exception?.takeIf { d.location == null }?.let { " (${it.javaClass.simpleName}: ${it.message})" } ?: "")
            }.ifEmpty { listOf("$name: the script did not compile") }
        }
    }
}
