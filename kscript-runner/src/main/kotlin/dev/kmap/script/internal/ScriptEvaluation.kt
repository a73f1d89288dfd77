package dev.kmap.script.internal

import dev.kmap.script.ScriptFailedException
import kotlinx.coroutines.runBlocking
import kotlin.script.experimental.api.CompiledScript
import kotlin.script.experimental.api.ResultValue
import kotlin.script.experimental.api.ResultWithDiagnostics
import kotlin.script.experimental.api.ScriptEvaluationConfiguration
import kotlin.script.experimental.jvm.BasicJvmScriptEvaluator

/**
 * Runs a compiled script's top level and returns the script instance; a script that throws
 * becomes a [ScriptFailedException] naming `name:line` ([name] is the script's file name as its
 * stack frames carry it, [shownAs] how to name it to the user).
 */
internal fun evaluateScript(name: String, shownAs: String, script: CompiledScript, config: ScriptEvaluationConfiguration): Any? {
    val result = runBlocking { BasicJvmScriptEvaluator()(script, config) }
    val value = when (result) {
        is ResultWithDiagnostics.Success -> result.value.returnValue
        is ResultWithDiagnostics.Failure -> throw ScriptFailedException(result.reports.joinToString("; ") { "$shownAs: ${it.message}" }, result.reports.firstNotNullOfOrNull { it.exception })
    }
    if (value is ResultValue.Error) {
        val e = value.error
        val line = e.stackTrace.firstOrNull { it.fileName == name && it.lineNumber > 0 }?.lineNumber
        val at = if (line != null) "$shownAs:$line" else shownAs
        val text = e.message?.lineSequence()?.firstOrNull()?.let { "${e.javaClass.simpleName}: $it" } ?: e.javaClass.simpleName
        throw ScriptFailedException("$at: $text", e)
    }
    return value.scriptInstance
}
