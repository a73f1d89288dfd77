package dev.kmap.packet.internal

import com.sun.jna.Platform
import java.io.File
import java.net.JarURLConnection
import java.nio.file.Files
import java.nio.file.StandardCopyOption

/**
 * Shortens JNA's start, which is on the way to the first raw packet:
 * - JNA unpacks its dispatch library from its jar into a temporary file at every start (and
 *   deletes it at exit). Here it is unpacked once into the user's cache, in a directory named
 *   after the jar entry's CRC, and JNA loads it from there (`jna.boot.library.path`).
 * - Unless `jna.platform.library.path` is set, JNA's first library load on Linux runs
 *   `/sbin/ldconfig -p` to learn the library directories. When libpcap sits in one of the usual
 *   directories, naming them is enough; otherwise JNA searches as before.
 * Anything unusual (properties already set, no cache directory, a read-only disk) leaves JNA to
 * its defaults. Call [prepare] before JNA's first use.
 */
internal object NativeSearchPath {
    private val prepared: Unit by lazy {
        runCatching { unpackDispatchLibrary() }
        if (System.getProperty(PLATFORM_PATH) == null && System.getProperty("org.pcap4j.core.pcapLibName") == null) {
            val arch = when (System.getProperty("os.arch")) {
                "amd64", "x86_64" -> "x86_64-linux-gnu"
                "aarch64" -> "aarch64-linux-gnu"
                else -> null
            }
            val dirs = listOfNotNull(arch?.let { "/usr/lib/$it" }, arch?.let { "/lib/$it" }, "/usr/lib64", "/lib64", "/usr/lib", "/lib")
                .filter { File(it).isDirectory }
            val hasPcap = dirs.any { d -> File(d).list()?.any { it.startsWith("libpcap.so") } == true }
            if (hasPcap) System.setProperty(PLATFORM_PATH, dirs.joinToString(File.pathSeparator))
        }
    }

    fun prepare() = prepared

    private fun unpackDispatchLibrary() {
        if (System.getProperty(BOOT_PATH) != null || System.getProperty("jna.nounpack") == "true") return
        val name = System.mapLibraryName("jnidispatch")
        val url = Platform::class.java.getResource("/com/sun/jna/${Platform.RESOURCE_PREFIX}/$name") ?: return
        val connection = url.openConnection() as? JarURLConnection ?: return
        val entry = connection.jarEntry ?: return
        val home = System.getenv("XDG_CACHE_HOME")?.takeIf { it.isNotBlank() } ?: (System.getProperty("user.home") + "/.cache")
        val dir = File(home, "kmap/jna/%08x-%d".format(entry.crc, entry.size))
        val lib = File(dir, name)
        if (lib.length() != entry.size) {
            dir.mkdirs()
            val partial = File.createTempFile("jnidispatch", ".part", dir)
            try {
                connection.inputStream.use { Files.copy(it, partial.toPath(), StandardCopyOption.REPLACE_EXISTING) }
                Files.move(partial.toPath(), lib.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING)
            } finally {
                partial.delete()
            }
        }
        System.setProperty(BOOT_PATH, dir.path)
    }

    private const val PLATFORM_PATH = "jna.platform.library.path"
    private const val BOOT_PATH = "jna.boot.library.path"
}
