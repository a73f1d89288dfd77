package dev.kmap.cli

import com.sun.jna.Memory
import com.sun.jna.Native
import dev.kmap.dsl.InternalKmapApi
import dev.kmap.packet.internal.LibC
import java.io.File
import java.io.OutputStream
import java.io.PrintStream
import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

/**
 * The warm process of `KMAP_WARM=1` (bin/kmap): a kmap JVM started after a run, for the next run.
 * It waits for the run that started it to end, makes a loopback scan of its own (into a
 * throwaway store) so that kmap's classes are loaded and initialised, then listens on a Unix
 * socket in the user's private directory [DIR_PROPERTY]. The socket's name is a hash of the
 * working directory and the network namespace: a scan from another directory or namespace finds
 * no warm process there.
 *
 * `kmap-warm` (bin/kmap's client, `cli/src/main/c/kmap-warm.c`) connects, passes its standard
 * input, output and error (`SCM_RIGHTS`), its working directory, network namespace, umask,
 * arguments and environment. The warm process takes the job only if the client is its own user
 * (`SO_PEERCRED`) and everything else equals its own and its jars are unchanged: then it answers
 * `A`, puts the three descriptors in place of its own, runs the command as [main] would and
 * sends the exit code (4 bytes, little-endian), starts its successor and exits. It serves one job
 * and never another: no state of one scan reaches the next. On any difference it answers `R` and
 * retires (the client's launcher then runs the scan in a new JVM, which starts a new warm
 * process); without a client for [IDLE_ENV] seconds (600 by default) it retires too.
 */
@OptIn(InternalKmapApi::class)
internal object WarmStart {
    const val DIR_PROPERTY = "kmap.warm.dir"
    const val AFTER_PROPERTY = "kmap.warm.after"
    const val IDLE_ENV = "KMAP_WARM_IDLE"
    private const val MAGIC = "kmap-warm-1"
    private const val MAX_REQUEST = 1 shl 20
    private const val CLIENT_WAIT_MILLIS = 2000
    private const val DEFAULT_IDLE_SECONDS = 600L
    private const val TRAINING_PORTS = "1-4096"
    private const val MAIN_CLASS = "dev.kmap.cli.WarmStartKt"

    /** `CMSG_SPACE(3 * sizeof(int))`. */
    private const val CONTROL_SIZE = 32L

    /** Variables a shell changes on its own between the launcher that started a warm process and a client. */
    private val IGNORED_ENV = setOf("_", "SHLVL", "PWD", "OLDPWD")

    /** The socket's file name for a working directory and network namespace (FNV-1a, 64 bits; the client computes the same). */
    fun socketName(cwd: String, netns: String): String {
        var h = -0x340d631b7bdddcdbL // 14695981039346656037
        for (b in "$cwd\u0000$netns".toByteArray()) {
            h = h xor (b.toLong() and 0xff)
            h *= 0x100000001b3L
        }
        return "%016x.sock".format(h)
    }

    /** Runs the warm process; its exit code. */
    fun serve(): Int {
        val dir = File(System.getProperty(DIR_PROPERTY) ?: return 1)
        System.getProperty(AFTER_PROPERTY)?.toLongOrNull()?.let { waitForExit(it) }
        if (!isPrivateDir(dir.toPath())) return 1
        val cwd = System.getProperty("user.dir")
        val netns = netns() ?: return 1
        val idleMillis = (System.getenv(IDLE_ENV)?.toLongOrNull() ?: DEFAULT_IDLE_SECONDS).coerceIn(1, 86_400) * 1000
        val jars = jarStamps()
        train()
        val listener = Listener.open(File(dir, socketName(cwd, netns))) ?: return 0
        // killed while it waits (SIGTERM, SIGINT): no socket file stays behind
        val cleanup = Thread { listener.retire() }
        Runtime.getRuntime().addShutdownHook(cleanup)
        val deadline = System.nanoTime() + idleMillis * 1_000_000
        while (true) {
            // idle for too long, or its socket file gone or another's: retire
            if (!listener.awaitClient(deadline)) {
                listener.retire()
                return 0
            }
            val conn = LibC.accept(listener.fd, null, null)
            if (conn < 0) continue
            val request = if (peerIsMe(conn)) receive(conn) else null
            if (request == null) {
                LibC.close(conn)
                continue
            }
            if (!request.matches(cwd, netns, jars)) {
                // the user's environment or kmap's jars changed: this process is of no more use
                UnixSockets.writeFully(conn, byteArrayOf('R'.code.toByte()))
                request.fds.forEach { LibC.close(it) }
                LibC.close(conn)
                listener.retire()
                return 0
            }
            listener.retire()
            Runtime.getRuntime().removeShutdownHook(cleanup)
            System.out.flush()
            System.err.flush()
            for (i in 0..2) LibC.dup2(request.fds[i], i)
            request.fds.forEach { LibC.close(it) }
            if (!UnixSockets.writeFully(conn, byteArrayOf('A'.code.toByte()))) return 1
            val code = runKmap(request.args.toTypedArray()) { tell(conn, it) }
            tell(conn, code)
            LibC.close(conn)
            startSuccessor()
            return code
        }
    }

    /**
     * Waits up to a minute for process [pid] to end. Not a child: its `/proc` entry is polled every
     * 10 ms, and a zombie counts as ended (its parent, also gone, leaves the reaping to init).
     */
    private fun waitForExit(pid: Long) {
        val stat = Path.of("/proc/$pid/stat")
        val deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1)
        while (System.nanoTime() < deadline) {
            val state = runCatching { String(Files.readAllBytes(stat)).substringAfterLast(')').trim().firstOrNull() }.getOrNull()
            if (state == null || state == 'Z' || state == 'X') return
            Thread.sleep(10)
        }
    }

    private class Request(val fds: IntArray, val cwd: String, val netns: String, val umask: Int, val args: List<String>, val env: Map<String, String>) {
        fun matches(ownCwd: String, ownNetns: String, ownJars: List<String>): Boolean =
            cwd == ownCwd && netns == ownNetns && umask == ownUmask() && env == ownEnv() && jarStamps() == ownJars
    }

    /** One request: the length (4 bytes) with the three descriptors, then the fields; null if anything is off. */
    private fun receive(conn: Int): Request? {
        if (!UnixSockets.readable(conn, CLIENT_WAIT_MILLIS)) return null
        val buf = Memory(4)
        val iov = Memory(16).apply { setPointer(0, buf); setLong(8, 4) }
        val control = Memory(CONTROL_SIZE).apply { clear() }
        val msg = Memory(56).apply {
            clear()
            setPointer(16, iov)
            setLong(24, 1)
            setPointer(32, control)
            setLong(40, CONTROL_SIZE)
        }
        val n = LibC.recvmsg(conn, msg, LibC.MSG_CMSG_CLOEXEC)
        val fds = if (n > 0 && msg.getLong(40) >= 16 && control.getInt(8) == LibC.SOL_SOCKET && control.getInt(12) == LibC.SCM_RIGHTS) {
            control.getIntArray(16, ((control.getLong(0) - 16) / 4).toInt().coerceIn(0, 3))
        } else {
            IntArray(0)
        }
        val length = if (n == 4L) buf.getInt(0) else -1
        val bytes = if (fds.size == 3 && msg.getInt(48) and LibC.MSG_CTRUNC == 0 && length in 1..MAX_REQUEST) {
            UnixSockets.readFully(conn, length, CLIENT_WAIT_MILLIS)
        } else {
            null
        }
        val request = bytes?.let { parse(fds, String(it, Charsets.UTF_8).split('\u0000')) }
        if (request == null) fds.forEach { LibC.close(it) }
        return request
    }

    /** `MAGIC, cwd, netns, umask, argc, args…, env…` (each ended by a NUL, hence a last empty field). */
    private fun parse(fds: IntArray, fields: List<String>): Request? {
        if (fields.size < 6 || fields[0] != MAGIC || fields.last().isNotEmpty()) return null
        val argc = fields[4].toIntOrNull()?.takeIf { it in 0..fields.size - 6 } ?: return null
        val env = fields.subList(5 + argc, fields.size - 1).mapNotNull { e -> e.indexOf('=').takeIf { it > 0 }?.let { e.substring(0, it) to e.substring(it + 1) } }
        return Request(fds, fields[1], fields[2], fields[3].toIntOrNull() ?: return null, fields.subList(5, 5 + argc), env.toMap() - IGNORED_ENV)
    }

    private fun ownEnv(): Map<String, String> = System.getenv() - IGNORED_ENV

    private fun ownUmask(): Int = LibC.umask(0b000_010_010).also { LibC.umask(it) }

    private fun netns(): String? = runCatching { Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString() }.getOrNull()

    /** The class path's files with their sizes and times: a rebuilt kmap is not served by an older process. */
    private fun jarStamps(): List<String> = System.getProperty("java.class.path").split(File.pathSeparatorChar).map { p ->
        File(p).let { "$p ${it.length()} ${it.lastModified()}" }
    }

    /** The client is this process's own user (`SO_PEERCRED`). */
    private fun peerIsMe(conn: Int): Boolean {
        val cred = Memory(12).apply { clear() }
        val len = Memory(4).apply { setInt(0, 12) }
        return LibC.getsockopt(conn, LibC.SOL_SOCKET, LibC.SO_PEERCRED, cred, len) == 0 && cred.getInt(4) == LibC.getuid()
    }

    /** A directory of this user's only, not a link: nobody else can put a socket there. */
    private fun isPrivateDir(dir: Path): Boolean = runCatching {
        val attrs = Files.readAttributes(dir, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS)
        Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && attrs["uid"] == LibC.getuid() && (attrs["mode"] as Int) and 0b000_111_111 == 0
    }.getOrDefault(false)

    /** The listening socket [fd], at [file] while that is still this socket's ([inode]). */
    private class Listener(val fd: Int, val file: File, val inode: Any) {
        private fun isOurs(): Boolean = inodeOf(file) == inode

        /** Waits for a client until [deadline] (nanoTime), looking every 5 s that the socket file is still this one's. */
        fun awaitClient(deadline: Long): Boolean {
            while (true) {
                val left = (deadline - System.nanoTime()) / 1_000_000
                if (left <= 0 || !isOurs()) return false
                if (UnixSockets.readable(fd, left.coerceAtMost(LOOK_MILLIS).toInt())) return true
            }
        }

        /** Closes the socket and removes its file, if the file is still this socket's. */
        fun retire() {
            if (isOurs()) file.delete()
            LibC.close(fd)
        }

        companion object {
            private const val LOOK_MILLIS = 5000L

            /** [file]'s inode number (the link itself, not followed), or null when it is gone. */
            private fun inodeOf(file: File): Any? = runCatching { Files.getAttribute(file.toPath(), "unix:ino", LinkOption.NOFOLLOW_LINKS) }.getOrNull()

            /** The listening socket at [file] (mode 0600), or null if another warm process listens there. */
            fun open(file: File): Listener? {
                val addr = UnixSockets.address(file.path) ?: return null
                val fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM or LibC.SOCK_CLOEXEC, 0)
                if (fd < 0) return null
                val umask = LibC.umask(0b001_111_111)
                try {
                    if (LibC.bind(fd, addr, UnixSockets.SOCKADDR_UN_SIZE) != 0) {
                        // a live warm process listens there already, or a dead one left its socket file
                        val bound = Native.getLastError() == LibC.EADDRINUSE && !answers(addr) && file.delete() &&
                            LibC.bind(fd, addr, UnixSockets.SOCKADDR_UN_SIZE) == 0
                        if (!bound) return null.also { LibC.close(fd) }
                    }
                } finally {
                    LibC.umask(umask)
                }
                val inode = inodeOf(file)
                return if (inode != null && LibC.listen(fd, 4) == 0) Listener(fd, file, inode) else null.also { LibC.close(fd) }
            }

            private fun answers(addr: Memory): Boolean {
                val probe = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM or LibC.SOCK_CLOEXEC, 0)
                return (LibC.connect(probe, addr, UnixSockets.SOCKADDR_UN_SIZE) == 0).also { LibC.close(probe) }
            }
        }
    }

    private fun tell(conn: Int, code: Int) {
        UnixSockets.writeFully(conn, byteArrayOf(code.toByte(), (code shr 8).toByte(), (code shr 16).toByte(), (code shr 24).toByte()))
    }

    /**
     * One loopback scan of ports [TRAINING_PORTS] (root: SYN with ICMP echo discovery; else
     * connect) into a throwaway store, output discarded: the classes of parsing, the engine,
     * outputs and the store are loaded and initialised, and the per-probe code compiled, before a
     * client comes (a one-port training left a full-range scan of a lab host 0.87 s instead of 0.77 s).
     */
    private fun train() {
        val tmp = runCatching { Files.createTempDirectory("kmap-warm").toFile() }.getOrNull() ?: return
        try {
            val probe = if (System.getProperty("user.name") == "root") listOf("-sS", "-PE") else listOf("-sT", "-Pn")
            val args = probe + listOf("-n", "-p", TRAINING_PORTS, "-oX", "/dev/null", "--store", File(tmp, "train.db").path, "127.0.0.1")
            val discard = PrintStream(OutputStream.nullOutputStream())
            runCatching { Cli.run(args, discard, discard) }
        } finally {
            tmp.deleteRecursively()
        }
    }

    /** The next warm process: this one's command line, told to wait for this one's end. */
    private fun startSuccessor() {
        runCatching {
            val cmd = String(Files.readAllBytes(Path.of("/proc/self/cmdline"))).split('\u0000')
                .filter { it.isNotEmpty() && !it.startsWith("-D$AFTER_PROPERTY=") }.toMutableList()
            val main = cmd.indexOf(MAIN_CLASS)
            if (main < 0) return
            cmd.add(main, "-D$AFTER_PROPERTY=${ProcessHandle.current().pid()}")
            ProcessBuilder(cmd).redirectInput(File("/dev/null")).redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start()
        }
    }
}

/** `java … -Dkmap.warm.dir=DIR [-Dkmap.warm.after=PID] dev.kmap.cli.WarmStartKt`: see [WarmStart]. */
fun main() {
    NativeLibraries.prepare()
    exitProcess(WarmStart.serve())
}
