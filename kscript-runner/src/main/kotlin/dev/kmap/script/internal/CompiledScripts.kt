package dev.kmap.script.internal

import dev.kmap.script.ScriptCompileException
import kotlinx.coroutines.runBlocking
import java.io.File
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.nio.file.attribute.PosixFilePermission
import java.nio.file.attribute.PosixFilePermissions
import java.security.MessageDigest
import java.util.concurrent.atomic.AtomicBoolean
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
 * as [keyExtra], the class path, Kotlin and JDK versions), with the jar's own SHA-256 beside it.
 * A hit loads the jar and never touches the compiler.
 *
 * Loading a jar runs its code, so the cache is used only when [cacheDir] is a real directory of
 * this user that nobody else can write to, and an entry only when its jar is this user's, not
 * writable by others, and still has the recorded hash. Otherwise scripts are compiled afresh
 * (with one warning line for the directory). [cacheDir] null disables the cache.
 */
internal class CompiledScripts(private val cacheDir: File?, private val warn: (String) -> Unit = { System.err.println("kmap: warning: $it") }) {
    val compiles = AtomicInteger()
    val hits = AtomicInteger()
    private val compiler by lazy { JvmScriptCompiler(defaultJvmScriptingHostConfiguration) }
    private val usable by lazy { cacheDir?.let(::checkDirectory) }

    /** A compiled script and the jar that holds it (the cache entry, or a private copy), for a worker to load. */
    class Compiled(val script: CompiledScript, private val key: String, private val cached: File?, private val owner: CompiledScripts) {
        /** The jar of this script and its SHA-256. */
        val jar: Pair<File, String> by lazy {
            val f = cached ?: File(owner.scratch, "$key.jar").also { if (!it.isFile) owner.save(script, it) }
            f to sha256(f)
        }
    }

    /**
     * Compiles [source] (or loads it from the cache); compile errors become a
     * [ScriptCompileException] whose lines name the script as [shownAs] (the path as typed).
     */
    fun compile(source: SourceCode, config: () -> ScriptCompilationConfiguration, keyExtra: String, classpath: List<File>, shownAs: String = source.name ?: "script"): Compiled {
        val key = key(source.text, keyExtra, classpath)
        val dir = usable
        val jar = dir?.let { File(it, "$key.jar") }
        if (jar != null && trusted(jar)) {
            val loaded = runCatching { jar.loadScriptFromJar() }.getOrNull()
            if (loaded != null) { hits.incrementAndGet(); return Compiled(loaded, key, jar, this) }
        }
        compiles.incrementAndGet()
        val result = synchronized(this) { runBlocking { compiler(source, config()) } }
        val compiled = when (result) {
            is ResultWithDiagnostics.Success -> result.value
            is ResultWithDiagnostics.Failure -> throw ScriptCompileException(errors(shownAs, (source as? kotlin.script.experimental.host.FileBasedScriptSource)?.file, result.reports))
        }
        val saved = jar?.let { target -> runCatching { save(compiled, target); target }.getOrNull() }
        return Compiled(compiled, key, saved, this)
    }

    /** Writes [compiled] to [target] with its hash beside it (`NAME.sha256`), both private to this user. */
    private fun save(compiled: CompiledScript, target: File) {
        val tmp = File(target.parentFile, "${target.name}.${ProcessHandle.current().pid()}.tmp")
        try {
            (compiled as KJvmCompiledScript).saveToJar(tmp)
            privateFile(tmp.toPath())
            val hashTmp = File(target.parentFile, "${target.name}.sha256.${ProcessHandle.current().pid()}.tmp")
            hashTmp.writeText(sha256(tmp))
            privateFile(hashTmp.toPath())
            Files.move(hashTmp.toPath(), hashFile(target).toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
            Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
        } finally {
            tmp.delete()
        }
    }

    /** A cache entry that may be loaded: this user's, writable by nobody else, with the recorded hash. */
    private fun trusted(jar: File): Boolean {
        if (!jar.isFile) return false
        val hash = hashFile(jar)
        if (!ownedPrivately(jar.toPath()) || !hash.isFile || !ownedPrivately(hash.toPath())) return false
        return runCatching { hash.readText().trim() == sha256(jar) }.getOrDefault(false)
    }

    /** [dir], created 0700 if missing, when it is fit to load code from; else null and one warning. */
    private fun checkDirectory(dir: File): File? {
        val path = dir.toPath()
        val why = try {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(path.parent ?: path)
                Files.createDirectory(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
            }
            when {
                !Files.isDirectory(path) -> "it is not a directory"
                !ownedPrivately(path.toRealPath()) -> "it is not owned by ${System.getProperty("user.name")} or others can write to it"
                else -> null
            }
        } catch (e: Exception) {
            "${e.javaClass.simpleName}: ${e.message}"
        }
        if (why == null) return dir
        if (warned.compareAndSet(false, true)) warn("not using the compiled-script cache $dir: $why (scripts are compiled each time)")
        return null
    }

    /** Where compiled scripts go for the worker when there is no cache: private to this user, removed at exit. */
    private val scratch: File by lazy {
        Files.createTempDirectory("kmap-scripts-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))).toFile().also { d ->
            Runtime.getRuntime().addShutdownHook(Thread { d.deleteRecursively() })
        }
    }

    private fun key(text: String, extra: String, classpath: List<File>): String {
        val md = MessageDigest.getInstance("SHA-256")
        for (part in listOf(FORMAT, text, extra, KotlinVersion.CURRENT.toString(), System.getProperty("java.version"), System.getProperty("java.vm.name"), ScriptClasspath.fingerprint(classpath))) {
            md.update(part.toByteArray()); md.update(0)
        }
        return md.digest().joinToString("") { "%02x".format(it) }.take(40)
    }

    companion object {
        private const val FORMAT = "kmap-script-cache-2"
        private val warned = AtomicBoolean(false)

        private fun hashFile(jar: File) = File(jar.parentFile, jar.name + ".sha256")

        private fun privateFile(p: Path) = runCatching { Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------")) }

        /** Owned by this process's user and writable by no group or other user. */
        fun ownedPrivately(p: Path): Boolean {
            val uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) as Int
            val perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)
            return uid.toLong() == currentUid && PosixFilePermission.GROUP_WRITE !in perms && PosixFilePermission.OTHERS_WRITE !in perms
        }

        private val currentUid: Long by lazy { com.sun.security.auth.module.UnixSystem().uid }

        fun sha256(f: File): String = MessageDigest.getInstance("SHA-256").let { md ->
            f.inputStream().use { input -> val buf = ByteArray(16384); while (true) { val n = input.read(buf); if (n < 0) break; md.update(buf, 0, n) } }
            md.digest().joinToString("") { "%02x".format(it) }
        }

        /**
         * `file:line:column: message` per error (warnings left out). The script itself is named
         * [shownAs]; a file it imports by the path it was found at.
         */
        fun errors(shownAs: String, file: File?, reports: List<ScriptDiagnostic>): List<String> {
            // the compiler's own log lines arrive as errors when dependency resolution fails: not for the user
            val errors = reports.filter { it.severity >= ScriptDiagnostic.Severity.ERROR && NOISE.none { n -> it.message.startsWith(n) } }
                .ifEmpty { reports.filter { it.severity >= ScriptDiagnostic.Severity.ERROR } }.ifEmpty { reports }
            val self = file?.let { runCatching { it.canonicalFile }.getOrNull() }
            fun line(d: ScriptDiagnostic): String {
                val at = d.sourcePath?.let { p -> if (self != null && runCatching { File(p).canonicalFile }.getOrNull() == self) shownAs else relative(p) } ?: shownAs
                val where = d.location?.start?.let { "$at:${it.line}:${it.col}" } ?: at
                return "$where: ${d.message.lineSequence().first()}" + (d.exception?.takeIf { d.location == null }?.let { " (${it.javaClass.simpleName}: ${it.message?.lineSequence()?.firstOrNull()})" } ?: "")
            }
            val located = errors.filter { it.location != null }
            val unlocated = errors.filter { it.location == null }
            // an unresolvable @file:DependsOn: the located line, with the resolver's reason on the same line
            if (located.isNotEmpty() && unlocated.isNotEmpty()) {
                return listOf(line(located.first()) + ": " + unlocated.first().message.lineSequence().first()) + located.drop(1).map(::line)
            }
            return errors.map(::line).distinct().ifEmpty { listOf("$shownAs: the script did not compile") }
        }

        private val NOISE = listOf("Using JDK home", "Loading modules:", "Using Kotlin home", "Configuring the compilation environment")

        private fun relative(p: String): String {
            val f = File(p).absoluteFile
            val cwd = File("").absoluteFile
            return if (f.path.startsWith(cwd.path + File.separator)) f.path.removePrefix(cwd.path + File.separator) else f.path
        }
    }
}
