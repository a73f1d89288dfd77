package dev.kmap.script.internal

import dev.kmap.engine.HostResult
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlinx.serialization.json.Json
import java.io.DataInputStream
import java.io.DataOutputStream
import java.io.EOFException
import java.io.IOException

/**
 * What kmap and its script worker process ([ScriptWorker]) say to each other: length-prefixed
 * JSON frames on the worker's stdin and stdout. kmap sends [Init] once, then one [Process] per
 * host; the worker answers [Ready], then per host any number of [Progress] beats (one per rule
 * pass or action that ended) and one [Processed].
 */
@Serializable
internal sealed interface WorkerMessage {
    /** A compiled script for the worker: its id, file name and jar, with the jar's SHA-256. */
    @Serializable
    data class ScriptJar(val id: String, val name: String, val jar: String, val sha256: String)

    @Serializable @SerialName("init")
    data class Init(
        val scripts: List<ScriptJar>,
        val args: Map<String, String>,
        val version: String,
        val budgetMillis: Long,
        val parallelism: Int,
        val perScriptOutput: Int,
        val perHostOutput: Int,
    ) : WorkerMessage

    /** [error]: a script could not be loaded (its top level threw or overran); the worker then exits. */
    @Serializable @SerialName("ready")
    data class Ready(val error: String? = null) : WorkerMessage

    @Serializable @SerialName("process")
    data class Process(val seq: Long, val host: HostResult) : WorkerMessage

    @Serializable @SerialName("progress")
    data class Progress(val seq: Long) : WorkerMessage

    /** [stuck] > 0: some task ignored cancellation; the worker exits after sending this. */
    @Serializable @SerialName("processed")
    data class Processed(val seq: Long, val host: HostResult, val timeouts: Int, val stuck: Int) : WorkerMessage

    companion object {
        /** The largest frame read (outputs are capped far below it). */
        const val MAX_FRAME = 64 shl 20

        private val json = Json { encodeDefaults = false; ignoreUnknownKeys = false }

        fun write(out: DataOutputStream, m: WorkerMessage) {
            val bytes = json.encodeToString(serializer(), m).toByteArray(Charsets.UTF_8)
            synchronized(out) { out.writeInt(bytes.size); out.write(bytes); out.flush() }
        }

        /** The next message, or null at end of stream. */
        fun read(input: DataInputStream): WorkerMessage? {
            val n = try { input.readInt() } catch (e: EOFException) { return null }
            if (n < 0 || n > MAX_FRAME) throw IOException("bad script worker frame length $n")
            val bytes = ByteArray(n)
            input.readFully(bytes)
            return json.decodeFromString(serializer(), bytes.toString(Charsets.UTF_8))
        }
    }
}
