package dev.kmap.script.internal

import dev.kmap.script.LoadedScript
import dev.kmap.script.ScanScript
import dev.kmap.script.ScriptArgs
import dev.kmap.script.ScriptEnvironment
import dev.kmap.script.ScriptFailedException
import dev.kmap.script.ScriptRegistry
import kotlinx.coroutines.runBlocking
import java.io.BufferedInputStream
import java.io.BufferedOutputStream
import java.io.DataInputStream
import java.io.DataOutputStream
import java.io.File
import java.io.FileDescriptor
import java.io.FileInputStream
import java.io.FileOutputStream
import kotlin.script.experimental.api.ScriptEvaluationConfiguration
import kotlin.script.experimental.api.constructorArgs
import kotlin.script.experimental.jvmhost.loadScriptFromJar
import kotlin.time.Duration.Companion.milliseconds

/**
 * The script worker process: kmap starts one per scan ([ScriptWorkerProcess]) and runs the
 * library scripts there, so that a script that never returns can really be stopped (by ending
 * this process). Speaks [WorkerMessage]s on stdin/stdout; what scripts print goes to stderr.
 * After a host on which some task ignored cancellation it answers and exits at once; kmap
 * starts a fresh worker for the next host.
 */
public object ScriptWorker {
    /** Entry point of the worker JVM. */
    @JvmStatic
    public fun main(args: Array<String>) {
        val out = DataOutputStream(BufferedOutputStream(FileOutputStream(FileDescriptor.out), 1 shl 16))
        val input = DataInputStream(BufferedInputStream(FileInputStream(FileDescriptor.`in`), 1 shl 16))
        System.setOut(System.err) // the protocol owns stdout
        val init = WorkerMessage.read(input) as? WorkerMessage.Init ?: exit(out, 2)
        val execution = try {
            load(init)
        } catch (e: ScriptFailedException) {
            WorkerMessage.write(out, WorkerMessage.Ready(e.message ?: "a script could not be loaded"))
            exit(out, 1)
        }
        WorkerMessage.write(out, WorkerMessage.Ready())
        while (true) {
            val m = WorkerMessage.read(input) ?: exit(out, 0)
            val request = m as? WorkerMessage.Process ?: exit(out, 2)
            val outcome = runBlocking { execution.process(request.host) { WorkerMessage.write(out, WorkerMessage.Progress(request.seq)) } }
            WorkerMessage.write(out, WorkerMessage.Processed(request.seq, outcome.host, outcome.timeouts, outcome.stuck))
            // a thread that ignores cancellation keeps running: only ending the process stops it
            if (outcome.stuck > 0) exit(out, 0)
        }
    }

    private fun exit(out: DataOutputStream, status: Int): Nothing {
        runCatching { out.flush() }
        Runtime.getRuntime().halt(status)
        throw IllegalStateException("halt returned")
    }

    private fun load(init: WorkerMessage.Init): ScriptExecution {
        val args = ScriptArgs(init.args)
        val budget = init.budgetMillis.milliseconds
        val scripts = init.scripts.map { s ->
            val jar = File(s.jar)
            if (CompiledScripts.sha256(jar) != s.sha256) throw ScriptFailedException("${s.name}: its compiled jar $jar changed after kmap wrote it")
            val compiled = jar.loadScriptFromJar() ?: throw ScriptFailedException("${s.name}: cannot load its compiled jar $jar")
            val env = ScriptEnvironment(s.name, emptyList(), args, init.version) { _, _ ->
                throw UnsupportedOperationException("a script run by --script cannot run scans of its own (use kmap run)")
            }
            val config = ScriptEvaluationConfiguration(ScanScriptEvaluation()) { constructorArgs(env) }
            val instance = TopLevelBudget(budget).run(s.name) { evaluateScript(s.name, s.name, compiled, config) } as ScanScript
            LoadedScript(s.id, s.name, instance)
        }
        return ScriptExecution(scripts, args, budget, init.parallelism, ScriptRegistry(), OutputLimits(init.perScriptOutput, init.perHostOutput), "the script process was ended")
    }
}
