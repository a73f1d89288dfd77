package dev.kmap.packet.internal

import java.io.File

/**
 * Spares JNA its `ldconfig -p` subprocess: unless `jna.platform.library.path` is set, JNA's first
 * library load on Linux runs `/sbin/ldconfig -p` to learn the library directories (a fork and
 * exec on the way to the first raw packet). When libpcap sits in one of the usual directories,
 * naming them is enough; otherwise JNA searches as before. Call [prepare] before JNA's (and
 * pcap4j's) first use; it also quiets SLF4J for applications without a logging setup ([Slf4jDefaults]).
 */
internal object NativeSearchPath {
    private val prepared: Unit by lazy {
        Slf4jDefaults.apply() // pcap4j's first class may log
        if (System.getProperty(PROPERTY) == null && System.getProperty("org.pcap4j.core.pcapLibName") == null) {
            val arch = when (System.getProperty("os.arch")) {
                "amd64", "x86_64" -> "x86_64-linux-gnu"
                "aarch64" -> "aarch64-linux-gnu"
                else -> null
            }
            val dirs = listOfNotNull(arch?.let { "/usr/lib/$it" }, arch?.let { "/lib/$it" }, "/usr/lib64", "/lib64", "/usr/lib", "/lib")
                .filter { File(it).isDirectory }
            // named files, not a listing: these directories hold thousands of files
            val hasPcap = dirs.any { d -> PCAP_NAMES.any { File(d, it).exists() } }
            if (hasPcap) System.setProperty(PROPERTY, dirs.joinToString(File.pathSeparator))
        }
    }

    fun prepare() = prepared

    private val PCAP_NAMES = listOf("libpcap.so", "libpcap.so.1", "libpcap.so.0.8")
    private const val PROPERTY = "jna.platform.library.path"
}
