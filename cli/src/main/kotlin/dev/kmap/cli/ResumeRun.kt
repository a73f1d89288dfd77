package dev.kmap.cli

import com.github.ajalt.clikt.core.CliktError
import com.github.ajalt.clikt.core.parse
import dev.kmap.cli.options.StoreOptions
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.ScanControl
import dev.kmap.engine.ScanEvent
import dev.kmap.store.ScanStore
import dev.kmap.store.StoreException
import dev.kmap.store.resumeFlow
import java.io.File
import java.io.PrintStream

/**
 * `kmap --resume ID` (or a `-oN`/`-oG`/`-oX` file a stored scan wrote): continues the stored scan
 * with everything it was started with (plan, excludes, outputs, seed, shard, target files, report
 * options). The engine resumes from the last checkpoint the store has ([resumeFlow]); the
 * outputs are written again whole (the stored hosts first), and the store's row is continued.
 */
internal object ResumeRun {
    fun run(
        target: String, storeUrl: String, out: PrintStream, err: PrintStream, control: ScanControl, terminal: Boolean,
        engine: EngineConfig, observer: (ScanEvent) -> Unit,
    ): Int {
        val store = StoreAccess.openForWriting(storeUrl)
        var handedOver = false
        try {
            val id = target.toLongOrNull()?.takeIf { it > 0 } ?: findByFile(store, target)
            val stored = store.load(id, group = false)
            if (!stored.summary.status.resumable) {
                throw UserError("scan $id is ${stored.summary.status.label}: only an interrupted, failed or aborted scan can be resumed", "kmap history shows each scan's status")
            }
            // the options that are not part of the plan (-v, --reason, --expect, ...) come from the stored arguments
            val command = ScanCommand(engine.modules)
            command.storeOptions.env = { name -> if (name == StoreOptions.COMPLETION_INDEX) stored.plan.targets.shard.let { (it.index - 1).toString() } else System.getenv(name) }
            try {
                val valueOptions = command.registeredOptions().filter { it.nvalues != 0..0 }.flatMap { it.names }.toSet()
                command.parse(NmapArgs.normalize(stored.settings.arguments, valueOptions))
            } catch (e: CliktError) {
                throw UserError("scan $id was started with arguments this kmap cannot read again: ${e.message}", "kmap show $id prints what it found")
            }
            val options = command.options?.copy(plan = stored.plan)
                ?: throw UserError("scan $id was not started as a scan", "kmap show $id prints what it found")
            val recording = ScanRecording(store, store.resume(id, ScanRecording.warner(err)))
            handedOver = true
            return recording.use {
                ScanRun(
                    options, Version.text, stored.settings.commandLine, out, err, terminal, control, engine, observer,
                    recording = it, source = { _, config -> stored.resumeFlow(config) },
                ).execute()
            }
        } catch (e: StoreException) {
            throw UserError(e.message ?: "cannot resume", StoreAccess.HINT)
        } finally {
            if (!handedOver) store.close()
        }
    }

    /** The newest resumable stored scan that wrote [path] as one of its outputs. */
    private fun findByFile(store: ScanStore, path: String): Long {
        val file = File(path)
        if (!file.isFile) throw UserError("--resume \"$path\" is neither a scan id nor a file", "kmap history lists the stored scans")
        val head = file.bufferedReader().use { r -> List(4) { r.readLine() }.filterNotNull().joinToString("\n") }
        if ("kmap" !in head) throw UserError("\"$path\" was not written by kmap (expected a -oN, -oG or -oX file of a kmap scan)", "kmap --resume ID continues a stored scan")
        val canonical = file.canonicalFile
        for (summary in store.history(RESUME_SEARCH)) {
            for (id in summary.scanIds) {
                val scan = store.load(id, group = false)
                if (!scan.summary.status.resumable) continue
                if (scan.plan.outputs.any { it.path != "-" && (File(it.path).canonicalFile == canonical || it.path == path) }) return id
            }
        }
        throw UserError(
            "no interrupted scan in store ${store.url} wrote \"$path\"",
            "kmap records every scan unless --no-store; kmap history lists them (--store URL for another store)",
        )
    }

    private const val RESUME_SEARCH = 1_000
}
