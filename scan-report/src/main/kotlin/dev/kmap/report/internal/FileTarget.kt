package dev.kmap.report.internal

import dev.kmap.report.OutputException
import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.io.OutputStreamWriter
import java.io.Writer
import java.nio.file.Files

/**
 * One file a scan will write, reserved in two steps so that a refused or failed scan never
 * destroys what was there: [reserve] opens it before the first packet without truncating it
 * (creating it if missing), [begin] truncates it once the scan has really started, and
 * [abandon] closes it and removes it again if [reserve] created it. [what] names it in
 * messages (`-oX`, `--save-baseline`).
 */
internal class FileTarget(val path: String, private val what: String) {
    private val file = File(path).absoluteFile
    private var stream: FileOutputStream? = null
    private var created = false

    /** Opens the file for writing, leaving its contents alone; raises [OutputException] with the reason. */
    fun reserve() {
        val dir = file.parentFile
        val why = when {
            file.isDirectory -> "it is a directory"
            file.exists() && !file.canWrite() -> "permission denied"
            dir == null || !dir.isDirectory -> "directory ${dir ?: "/"} does not exist"
            !file.exists() && !dir.canWrite() -> "directory $dir is not writable"
            else -> null
        }
        if (why != null) throw cannot(why)
        created = !file.exists()
        // a stream, not a FileChannel: a channel closes itself when the writing thread is
        // interrupted (Gradle cancelling its worker), and the closing lines would be lost
        stream = try {
            FileOutputStream(file, true)
        } catch (e: IOException) {
            throw cannot(reason(e))
        }
    }

    /** Empties the file and returns a writer on it (the scan started: what was there is replaced). */
    fun begin(): Writer {
        val s = checkNotNull(stream) { "$what output \"$path\" was not reserved" }
        // appending from here on writes from the start; devices and pipes (/dev/null) have nothing to empty
        if (file.isFile) s.channel.truncate(0)
        return OutputStreamWriter(s, Charsets.UTF_8).buffered()
    }

    /** Releases the file; removes it if [reserve] created it and the scan never wrote it. */
    fun abandon() {
        runCatching { stream?.close() }
        stream = null
        if (created) runCatching { Files.deleteIfExists(file.toPath()) }
    }

    private fun cannot(why: String) = OutputException("cannot write $what output \"$path\": $why", ADVICE)

    /** The system's reason: a FileNotFoundException says `PATH (Permission denied)`. */
    private fun reason(e: IOException): String {
        val m = e.message ?: return e.javaClass.simpleName
        return if (m.endsWith(")") && " (" in m) m.substringAfterLast(" (").removeSuffix(")").lowercase() else m
    }

    companion object {
        const val ADVICE = "check that the directory exists and is writable (- writes to standard output)"
    }
}
