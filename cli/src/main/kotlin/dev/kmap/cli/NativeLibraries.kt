package dev.kmap.cli

import java.io.File
import java.nio.file.Files
import java.nio.file.StandardCopyOption
import java.util.zip.ZipFile

/**
 * JNA (libpcap's binding) and the SQLite driver each copy their native library out of their jar
 * into a temporary file at every start (JNA's 130 KiB, SQLite's 1.1 MiB, and SQLite runs
 * `uname -o` in a child process to pick it). SQLite's loader also lists its temporary directory
 * (`java.io.tmpdir`, thousands of entries on a busy machine) at every start, to delete what older
 * versions left there. With `-Dkmap.native.dir=DIR` (bin/kmap passes
 * `cli/target/native`) they are copied once into `DIR/<jar name>/` and loaded from there: a
 * new jar version gets a folder of its own, which is also the SQLite loader's temporary directory
 * (`org.sqlite.tmpdir`, unless the user set it): its listing is one file. Nothing happens without the property, where the
 * user already chose a path (`jna.boot.library.path`, `org.sqlite.lib.path`), on a platform
 * not listed here, or when anything fails: the libraries then load as they always do.
 */
internal object NativeLibraries {
    /** [anchorClass] names the jar; [property] is the library's own path property (the user's choice wins). */
    private class Library(val anchorClass: String, val property: String, val resourceDir: Map<String, String>, val file: String, val configure: (File) -> Unit)

    private val libraries = listOf(
        Library("com.sun.jna.Native", "jna.boot.library.path", mapOf("amd64" to "com/sun/jna/linux-x86-64", "aarch64" to "com/sun/jna/linux-aarch64"), "libjnidispatch.so") { dir ->
            System.setProperty("jna.boot.library.path", dir.path)
            System.setProperty("jna.nounpack", "true")
        },
        Library("org.sqlite.JDBC", "org.sqlite.lib.path", mapOf("amd64" to "org/sqlite/native/Linux/x86_64", "aarch64" to "org/sqlite/native/Linux/aarch64"), "libsqlitejdbc.so") { dir ->
            System.setProperty("org.sqlite.lib.path", dir.path)
            System.setProperty("org.sqlite.lib.name", "libsqlitejdbc.so")
            // the loader lists this directory at every start (it extracts nothing here: the library is found above)
            if (System.getProperty("org.sqlite.tmpdir") == null) System.setProperty("org.sqlite.tmpdir", dir.path)
        },
    )

    fun prepare() {
        val root = System.getProperty("kmap.native.dir")?.takeIf { it.isNotBlank() } ?: return
        if (System.getProperty("os.name") != "Linux" || isMusl()) return
        val arch = System.getProperty("os.arch")
        for (lib in libraries) if (System.getProperty(lib.property) == null) runCatching { place(lib, File(root), arch) }
    }

    private fun place(lib: Library, root: File, arch: String) {
        val resourceDir = lib.resourceDir[arch] ?: return
        // the jar the class comes from, without initialising the class (that would load the library)
        val anchor = Class.forName(lib.anchorClass, false, NativeLibraries::class.java.classLoader)
        val jar = File(anchor.protectionDomain?.codeSource?.location?.toURI() ?: return)
        if (!jar.isFile) return
        val dir = File(root, jar.name.removeSuffix(".jar"))
        val target = File(dir, lib.file)
        if (!target.isFile) {
            ZipFile(jar).use { zip ->
                val entry = zip.getEntry("$resourceDir/${lib.file}") ?: return
                dir.mkdirs()
                val tmp = File.createTempFile(lib.file, ".tmp", dir)
                try {
                    zip.getInputStream(entry).use { Files.copy(it, tmp.toPath(), StandardCopyOption.REPLACE_EXISTING) }
                    // another kmap starting at the same time may place the same file: either copy is whole
                    Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING)
                } finally {
                    tmp.delete()
                }
            }
        }
        lib.configure(dir)
    }

    /** Alpine and other musl systems need SQLite's Linux-Musl build: leave those to the driver. */
    private fun isMusl(): Boolean = File("/lib/ld-musl-x86_64.so.1").exists() || File("/lib/ld-musl-aarch64.so.1").exists()
}
