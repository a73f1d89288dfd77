package dev.kmap.report.internal

import dev.kmap.dsl.OutputSpec
import dev.kmap.report.OutputException
import java.io.File
import java.io.IOException
import java.nio.file.Files

/**
 * The checks that need every output at once, made before anything is opened: two outputs on one
 * file (by canonical path, so a symlink or `./x` is the same file as `x`; by inode for hard
 * links), an output over a file the scan reads ([inputs], by what names them: `-iL`,
 * `--expect`), and two formats on standard output. Raises [OutputException].
 */
internal object OutputPlan {
    /** One file a scan writes: what asks for it (`-oX`, `--save-baseline`) and its path. */
    class Written(val what: String, val path: String)

    fun check(outputs: List<OutputSpec>, saveBaselineTo: String?, inputs: List<Pair<String, String>>) {
        val stdout = outputs.filter { it.path == "-" }
        if (stdout.size > 1) {
            throw OutputException(
                "${stdout[0].format.flag} and ${stdout[1].format.flag} would both write to standard output",
                "choose one format for standard output (-) and write the others to files",
            )
        }
        val written = outputs.filter { it.path != "-" }.map { Written(it.format.flag, it.path) } +
            listOfNotNull(saveBaselineTo?.let { Written("--save-baseline", it) })
        for (i in written.indices) for (j in i + 1 until written.size) {
            if (same(written[i].path, written[j].path)) {
                throw OutputException("${written[i].what} and ${written[j].what} would both write \"${written[i].path}\"", "give each output its own file")
            }
        }
        for (w in written) for ((what, path) in inputs) {
            // refreshing a baseline in place is fine: it was read whole before the scan
            if (w.what == "--save-baseline" && what == "--baseline") continue
            if (path != "-" && same(w.path, path)) {
                throw OutputException("${w.what} would overwrite the $what file \"$path\"", "write the output to another file")
            }
        }
    }

    private fun same(a: String, b: String): Boolean {
        val fa = canonical(a)
        val fb = canonical(b)
        // devices (/dev/null) take any number of writers, as before
        if ((fa.exists() && !fa.isFile && !fa.isDirectory) || (fb.exists() && !fb.isFile && !fb.isDirectory)) return false
        if (fa == fb) return true
        return fa.exists() && fb.exists() && try { Files.isSameFile(fa.toPath(), fb.toPath()) } catch (e: IOException) { false }
    }

    /** [path] with every symlink resolved, dangling ones too (the file a link names need not exist yet). */
    private fun canonical(path: String): File {
        var p = File(path).absoluteFile.toPath().normalize()
        var hops = 0
        while (Files.isSymbolicLink(p) && hops++ < MAX_LINKS) {
            p = try { p.resolveSibling(Files.readSymbolicLink(p)).normalize() } catch (e: IOException) { break }
        }
        return try { p.toFile().canonicalFile } catch (e: IOException) { p.toFile() }
    }

    private const val MAX_LINKS = 40
}
