package dev.kmap.lab

import java.io.File
import java.net.Inet4Address
import java.net.InetAddress
import java.nio.channels.FileChannel
import java.nio.channels.FileLock
import java.nio.channels.OverlappingFileLockException
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.nio.file.Paths
import java.nio.file.StandardOpenOption
import java.util.concurrent.TimeUnit
import kotlin.time.Duration
import kotlin.time.TimeSource

/**
 * A lab could not be built, or the lab script failed or timed out.
 *
 * ```kotlin
 * try { lab.up() } catch (e: LabException) { println(e.message) }   // includes the script output
 * ```
 */
public open class LabException(message: String, cause: Throwable? = null) : RuntimeException(message, cause)

/**
 * This machine cannot run a lab at all (not root, no CAP_NET_ADMIN, a tool missing).
 * [LabExtension] turns it into a skipped test.
 *
 * ```kotlin
 * LabPreconditions.unavailableReason()?.let { throw LabUnavailableException(it) }
 * ```
 *
 * @property reason why, e.g. "lab tests need root (network namespaces); run bin/test as root".
 */
public class LabUnavailableException(public val reason: String) : LabException(reason)

/**
 * kmap's network-namespace lab: [LabConfig.hosts] target hosts, each a network namespace
 * with real TCP listeners (banner `lab <ip> <port>\r\n`), UDP echo responders, ports
 * dropped by nftables, IPv4 and IPv6 addresses, behind a bridge in the ROOT network
 * namespace, which is the scanner side (the JVM that runs the tests scans from there).
 * Optionally host 1 answers on every address of [anyIpPrefix].
 *
 * `up` and `down` run the bundled `lab.sh` (extracted to a temporary file) and are
 * idempotent; `up` first removes any leftover lab of the same prefix. While up, a lab holds
 * an exclusive lock per prefix (`/run/lock/kmap-lab-<prefix>.lock`, opened without following
 * symbolic links), so two processes never build the same lab at once, and a JVM shutdown hook
 * tears it down if nobody else does.
 *
 * Safety: `up` adds `unreachable` routes for the lab's address blocks (IPv4 /24, IPv6 /64, AnyIP
 * prefix) in the root namespace, which lose to the lab's own routes while it is up and stay after
 * [down], so a scan of a lab address with the lab down fails at once instead of leaving the
 * machine. They go at JVM exit (or [release]). The lab's state (pid files, logs, services) lives
 * in a fresh private directory per lab ([stateDir]).
 * Needs root, iproute2, nftables and python3; see [LabPreconditions].
 *
 * In JUnit tests prefer [RequiresLab], which shares one lab per test JVM. Directly:
 *
 * ```kotlin
 * Lab(LabConfig(hosts = 1)).use { lab ->
 *     lab.up()
 *     Socket(lab.host(1).inet4, 80).use { s -> s.getInputStream().bufferedReader().readLine() } // "lab 10.201.0.11 80"
 * }
 * ```
 *
 * @property config the configuration this lab is built from.
 */
public class Lab(public val config: LabConfig = LabConfig()) : AutoCloseable {

    /** Name prefix of this lab's namespaces and links. */
    public val prefix: String get() = config.prefix

    /** The target hosts, host 1 first. */
    public val hosts: List<LabHost> = (1..config.hosts).map { i ->
        LabHost(
            index = i,
            name = "${config.prefix}-target$i",
            ipv4 = "${config.net4}.${10 + i}",
            ipv6 = "${config.net6.lowercase()}${10 + i}",
            mac = "02:6b:6d:00:02:%02x".format(i),
            ports = config.portsOf(i),
            services = config.servicesOf(i),
            extraIpv4 = config.extraAddresses[i].orEmpty().sorted().map { "${config.net4}.$it" },
            extraIpv6 = config.extraAddresses[i].orEmpty().sorted().map { "${config.net6.lowercase()}$it" },
        )
    }

    /** The bridge in the root netns that connects the scanner side to the hosts, e.g. `kml-br0`. */
    public val bridge: String get() = "${config.prefix}-br0"

    /** MAC address of [bridge]. */
    public val bridgeMac: String get() = "02:6b:6d:00:01:01"

    /** The scanner side's IPv4 address on [bridge], e.g. `10.201.0.1`. */
    public val scannerIpv4: String get() = "${config.net4}.1"

    /** The scanner side's IPv6 address on [bridge], e.g. `fd10:201::1`. */
    public val scannerIpv6: String get() = "${config.net6.lowercase()}1"

    /** The prefix of which host 1 answers on every address (e.g. `10.202.0.0/16`), or null. */
    public val anyIpPrefix: String? get() = config.anyIpPrefix

    /** The host that owns [anyIpPrefix] (host 1), or null without AnyIP. */
    public val anyIpHost: LabHost? get() = if (config.anyIpPrefix != null) hosts.first() else null

    /** Number of addresses in [anyIpPrefix] (65536 for a /16), 0 without AnyIP. */
    public val anyIpSize: Long
        get() = config.anyIpPrefix?.let { 1L shl (32 - it.substringAfter('/').toInt()) } ?: 0L

    /**
     * The address [offset] of [anyIpPrefix]: with 10.202.0.0/16, `anyIpAddress(77 * 256 + 9)`
     * is 10.202.77.9.
     *
     * ```kotlin
     * val a = lab.anyIpAddress(77 * 256 + 9)   // answers like any lab host, banner "lab 10.202.77.9 80"
     * ```
     */
    public fun anyIpAddress(offset: Long): Inet4Address {
        val p = requireNotNull(config.anyIpPrefix) { "this lab has no AnyIP prefix" }
        require(offset in 0 until anyIpSize) { "offset $offset outside $p" }
        val base = LabConfig.ipv4ToLong(p.substringBefore('/').split('.').map { it.toInt() })
        val a = base + offset
        val bytes = ByteArray(4) { i -> (a shr (24 - 8 * i)).toByte() }
        return InetAddress.getByAddress(bytes) as Inet4Address
    }

    /**
     * The 1-based host [index].
     *
     * ```kotlin
     * val first = lab.host(1)
     * ```
     */
    public fun host(index: Int): LabHost {
        require(index in 1..hosts.size) { "host index must be 1..${hosts.size}: $index" }
        return hosts[index - 1]
    }

    /**
     * The lab's state directory (pid files, logs, the services' directories): a fresh
     * `mktemp -d` directory (root's, mode 0711: daemons of other users reach their directories below it) made by each [up]. Throws [LabException] while
     * the lab is down.
     */
    public val stateDir: Path get() = state ?: throw LabException("lab '$prefix' is not up: it has no state directory")

    @Volatile
    private var state: Path? = null

    /**
     * The directory of host [index]'s services (configuration, data, logs, pid files,
     * `facts.properties`); it exists while the lab is up and the host runs services.
     *
     * ```kotlin
     * val log = lab.servicesDir(1).resolve("nginx/error.log")
     * ```
     */
    public fun servicesDir(index: Int): Path = stateDir.resolve("services").resolve("target${host(index).index}")

    /**
     * The ground truth about the [LabService]s of host [index] (titles, banners, certificate,
     * host keys, versions), read from what the fixture wrote when it started them. Throws
     * [LabException] if the lab is down or the host runs no services.
     *
     * ```kotlin
     * val facts = lab.facts(1)
     * println(facts.tls.sha256 + " " + facts.ssh.hostKeys.getValue("ed25519").sha256)
     * ```
     */
    public fun facts(index: Int): ServiceFacts {
        check(isUp) { "lab '$prefix' is not up" }
        if (config.servicesOf(index).isEmpty()) throw LabException("lab host $index runs no services (LabConfig.services)")
        return ServiceFacts.read(index, servicesDir(index).resolve("facts.properties"))
    }

    /** Whether [up] succeeded and [down] has not run since. */
    @Volatile
    public var isUp: Boolean = false
        private set

    private var script: Path? = null
    private var servicesScript: Path? = null
    private var lockChannel: FileChannel? = null
    private var lock: FileLock? = null
    private var hook: Thread? = null
    private var routesAdded = false

    /**
     * Builds the lab (removing any leftover of the same prefix first) and waits until every
     * listener answers. Returns this lab. Throws [LabUnavailableException] when the machine
     * cannot run a lab and [LabException] when the script fails (with its output).
     *
     * ```kotlin
     * val lab = Lab().up()
     * ```
     */
    @Synchronized
    public fun up(): Lab {
        if (isUp) return this
        LabPreconditions.unavailableReason()?.let { throw LabUnavailableException(it) }
        LabPreconditions.servicesUnavailableReason(config.services.values.flatten().toSet())?.let { throw LabUnavailableException(it) }
        acquireLock()
        try {
            routesAdded = true
            run("up", config.upTimeout)
            state = readState()
        } catch (e: Throwable) {
            try {
                run("down", config.downTimeout)
            } catch (d: Throwable) {
                e.addSuppressed(d)
            }
            releaseLock()
            deleteScript()
            throw e
        }
        isUp = true
        if (hook == null) {
            val h = Thread({ downQuietly(); releaseQuietly() }, "kmap-lab-$prefix-shutdown")
            Runtime.getRuntime().addShutdownHook(h)
            hook = h
        }
        return this
    }

    /** The state directory lab.sh recorded for the lab that is up. */
    private fun readState(): Path {
        val recorded = Paths.get("/run/kmap-lab/$prefix.state")
        val dir = try { Files.readString(recorded).trim() } catch (e: java.io.IOException) { throw LabException("lab.sh up did not record its state directory in $recorded", e) }
        return Paths.get(dir)
    }

    /**
     * Tears the lab down if it is up and removes its `unreachable` routes: after this a lab
     * address is routed like any other again. Runs by itself at JVM exit.
     *
     * ```kotlin
     * lab.down(); /* ...a scan of a lab address fails at once here... */ lab.release()
     * ```
     */
    @Synchronized
    public fun release() {
        if (isUp) down()
        acquireLock()
        try {
            if (!Files.exists(Paths.get("/sys/class/net/$bridge"))) run("release", config.downTimeout)
            routesAdded = false
        } finally {
            releaseLock()
            deleteScript()
        }
    }

    private fun releaseQuietly() {
        if (!routesAdded) return
        try {
            // another process that brought the same prefix up meanwhile keeps its routes
            val ch = openLock(lockPath())
            ch.use { if (it.tryLock() != null && !Files.exists(Paths.get("/sys/class/net/$bridge"))) run("release", config.downTimeout) }
        } catch (e: Throwable) {
            System.err.println("[kmap lab] release of lab '$prefix' failed: ${e.message}")
        } finally {
            deleteScript() // `release` extracted the scripts again after down deleted them
        }
    }

    /**
     * Removes everything of this lab's prefix: namespaces, bridge, veths, routes, nft tables,
     * listener processes, state directory. Idempotent; also cleans up after a crashed run.
     *
     * ```kotlin
     * lab.down(); lab.down()   // the second call finds nothing to do
     * ```
     */
    @Synchronized
    public fun down() {
        try {
            run("down", config.downTimeout)
        } finally {
            isUp = false
            state = null
            releaseLock()
            deleteScript()
        }
    }

    /** Same as [down]. */
    override fun close(): Unit = down()

    /**
     * The lab script's `status` output (namespaces, bridge addresses, listening sockets).
     *
     * ```kotlin
     * println(lab.status())
     * ```
     */
    public fun status(): String = run("status", config.downTimeout)

    private fun downQuietly() {
        try {
            down()
        } catch (e: Throwable) {
            System.err.println("[kmap lab] down of lab '$prefix' failed: ${e.message}")
        }
    }

    private fun lockPath(): Path {
        val dir = Paths.get("/run/lock").takeIf { Files.isDirectory(it) && Files.isWritable(it) }
            ?: Paths.get(System.getProperty("java.io.tmpdir"))
        return dir.resolve("kmap-lab-$prefix.lock")
    }

    private fun acquireLock() {
        if (lock != null) return
        val path = lockPath()
        val ch = openLock(path)
        val deadline = TimeSource.Monotonic.markNow() + config.lockTimeout
        var warned = false
        try {
            while (true) {
                val l = try {
                    ch.tryLock()
                } catch (e: OverlappingFileLockException) {
                    throw LabException("a lab with prefix '$prefix' is already up in this JVM; use another LabConfig.prefix (and addresses)", e)
                }
                if (l != null) {
                    lockChannel = ch
                    lock = l
                    return
                }
                if (deadline.hasPassedNow()) {
                    throw LabException("another process holds the lab lock $path for ${config.lockTimeout}; is another build using lab prefix '$prefix'?")
                }
                if (!warned) {
                    System.err.println("[kmap lab] waiting up to ${config.lockTimeout} for $path (another process uses lab prefix '$prefix')")
                    warned = true
                }
                Thread.sleep(200)
            }
        } catch (e: Throwable) {
            ch.close()
            throw e
        }
    }

    private fun releaseLock() {
        try {
            lock?.release()
        } catch (_: Exception) {
        }
        try {
            lockChannel?.close()
        } catch (_: Exception) {
        }
        lock = null
        lockChannel = null
    }

    private fun scriptPath(): Path = script ?: extractScript().also { script = it }

    private fun servicesScriptPath(): Path =
        servicesScript ?: extractResource(SERVICES_SCRIPT_RESOURCE, Files.createTempFile("kmap-lab-services-", ".sh")).also { servicesScript = it }

    private fun deleteScript() {
        script?.let { Files.deleteIfExists(it) }
        script = null
        servicesScript?.let { Files.deleteIfExists(it) }
        servicesScript = null
    }

    /** Runs `bash lab.sh <command>` with this lab's environment; returns its output. */
    private fun run(command: String, timeout: Duration): String {
        val log = Files.createTempFile("kmap-lab-$prefix-$command-", ".log")
        try {
            val pb = ProcessBuilder(findBash(), scriptPath().toString(), command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(File("/dev/null"))
            val env = pb.environment()
            env.keys.removeIf { it.startsWith("KMAP_LAB_") && it != "KMAP_LAB_PYTHON" }
            env.putAll(config.toEnv())
            env.remove("KMAP_LAB_STATE") // lab.sh makes a fresh private directory per lab
            env["KMAP_LAB_SERVICES_SCRIPT"] = servicesScriptPath().toString()
            env["PATH"] = (env["PATH"]?.let { "$it:" } ?: "") + "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
            env["LC_ALL"] = "C"
            val p = pb.start()
            if (!p.waitFor(timeout.inWholeMilliseconds, TimeUnit.MILLISECONDS)) {
                p.descendants().forEach { it.destroyForcibly() }
                p.destroyForcibly()
                p.waitFor(5, TimeUnit.SECONDS)
                throw LabException("lab.sh $command (prefix '$prefix') timed out after $timeout:\n${readLog(log)}")
            }
            val out = readLog(log)
            if (p.exitValue() != 0) {
                throw LabException("lab.sh $command (prefix '$prefix') failed with exit code ${p.exitValue()}:\n$out")
            }
            return out
        } finally {
            Files.deleteIfExists(log)
        }
    }

    private fun readLog(log: Path): String = Files.readString(log).trimEnd()

    override fun toString(): String = "Lab(prefix=$prefix, up=$isUp, hosts=$hosts, anyIp=$anyIpPrefix)"

    /** Helpers shared by all labs. */
    public companion object {
        /** Classpath location of the lab script. */
        public const val SCRIPT_RESOURCE: String = "/dev/kmap/lab/lab.sh"

        /** Classpath location of the services script (`services.sh`, which lab.sh runs). */
        public const val SERVICES_SCRIPT_RESOURCE: String = "/dev/kmap/lab/services.sh"

        /**
         * The banner an open lab TCP port sends: `lab <ip> <port>` (the wire adds `\r\n`).
         *
         * ```kotlin
         * assertEquals(Lab.banner("10.201.0.11", 80), line)   // "lab 10.201.0.11 80"
         * ```
         */
        public fun banner(ip: String, port: Int): String = "lab $ip $port"

        /**
         * Copies the lab script to a new executable temporary file (or [target]) and returns
         * its path, e.g. to run `KMAP_LAB_PREFIX=kml bash <path> status` by hand.
         *
         * ```kotlin
         * val script = Lab.extractScript()
         * ```
         */
        public fun extractScript(target: Path? = null): Path =
            extractResource(SCRIPT_RESOURCE, target ?: Files.createTempFile("kmap-lab-", ".sh"))

        private fun extractResource(resource: String, path: Path): Path {
            val res = Lab::class.java.getResourceAsStream(resource)
                ?: throw LabException("resource $resource missing from the classpath")
            res.use { Files.newOutputStream(path).use { out -> it.copyTo(out) } }
            path.toFile().setExecutable(true, true)
            return path
        }

        /**
         * Opens (creating) the lock file at [path] without following a symbolic link there: in a
         * world-writable directory such as /run/lock another user could plant one.
         */
        internal fun openLock(path: Path): FileChannel = try {
            FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)
        } catch (e: java.io.IOException) {
            if (Files.isSymbolicLink(path)) throw LabException("the lab lock $path is a symbolic link; remove it (someone may be trying to make root write elsewhere)", e)
            throw e
        }

        internal fun findBash(): String =
            listOf("/bin/bash", "/usr/bin/bash").firstOrNull { File(it).canExecute() } ?: "bash"
    }
}
