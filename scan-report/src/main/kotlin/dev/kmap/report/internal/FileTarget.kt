package dev.kmap.report.internal

import dev.kmap.report.OutputException
import java.io.File
import java.io.IOException
import java.io.Writer
import java.nio.channels.Channels
import java.nio.channels.FileChannel
import java.nio.file.AccessDeniedException
import java.nio.file.FileSystemException
import java.nio.file.Files
import java.nio.file.NoSuchFileException
import java.nio.file.StandardOpenOption

/**
 * One file a scan will write, reserved in two steps so that a refused or failed scan never
 * destroys what was there: [reserve] opens it before the first packet without truncating it
 * (creating it if missing), [begin] truncates it once the scan has really started, and
 * [abandon] closes it and removes it again if [reserve] created it. [what] names it in
 * messages (`-oX`, `--save-baseline`).
 */
internal class FileTarget(val path: String, private val what: String) {
    private val file = File(path).absoluteFile
    private var channel: FileChannel? = null
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
        channel = try {
            FileChannel.open(file.toPath(), StandardOpenOption.WRITE, StandardOpenOption.CREATE)
        } catch (e: IOException) {
            throw cannot(reason(e))
        }
    }

    /** Empties the file and returns a writer on it (the scan started: what was there is replaced). */
    fun begin(): Writer {
        val c = checkNotNull(channel) { "$what output \"$path\" was not reserved" }
        c.truncate(0)
        return Channels.newWriter(c, Charsets.UTF_8).buffered()
    }

    /** Releases the file; removes it if [reserve] created it and the scan never wrote it. */
    fun abandon() {
        runCatching { channel?.close() }
        channel = null
        if (created) runCatching { Files.deleteIfExists(file.toPath()) }
    }

    private fun cannot(why: String) = OutputException("cannot write $what output \"$path\": $why", ADVICE)

    private fun reason(e: IOException): String = when (e) {
        is AccessDeniedException -> "permission denied"
        is NoSuchFileException -> "no such file or directory"
        is FileSystemException -> e.reason ?: e.javaClass.simpleName
        else -> e.message ?: e.javaClass.simpleName
    }

    companion object {
        const val ADVICE = "check that the directory exists and is writable (- writes to standard output)"
    }
}
