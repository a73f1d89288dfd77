package dev.kmap.cli

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.scan
import dev.kmap.engine.EngineConfig
import dev.kmap.engine.PortState
import java.io.File
import java.io.PrintStream
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.NetworkInterface
import java.net.ServerSocket
import java.net.Socket
import java.util.Locale
import java.util.concurrent.TimeUnit
import dev.kmap.engine.scan as runScan

/**
 * `kmap self-test`: one line per check, `PASS name: detail`, `FAIL name: detail (hint: …)` or
 * `SKIP name: detail`, then a summary. Exits 0 when every essential check passes; the raw-packet
 * checks are not essential (the connect scan needs none of them).
 */
internal class SelfTest(private val checks: List<Check>) {
    sealed interface Outcome {
        val detail: String
        data class Pass(override val detail: String) : Outcome
        data class Fail(override val detail: String, val hint: String) : Outcome
        data class Skip(override val detail: String) : Outcome
    }

    class Check(val name: String, val essential: Boolean, val run: () -> Outcome)

    fun run(out: PrintStream): Int {
        var failedEssential = 0
        var failed = 0
        var skipped = 0
        var passed = 0
        for (check in checks) {
            val outcome = try {
                check.run()
            } catch (e: Exception) {
                Outcome.Fail("${e.javaClass.simpleName}: ${e.message}", "unexpected error; rerun, or report it with this line")
            }
            when (outcome) {
                is Outcome.Pass -> { passed++; out.println("PASS ${check.name}: ${outcome.detail}") }
                is Outcome.Skip -> { skipped++; out.println("SKIP ${check.name}: ${outcome.detail}") }
                is Outcome.Fail -> {
                    failed++
                    if (check.essential) failedEssential++
                    val tag = if (check.essential) "" else " [not needed for -sT]"
                    out.println("FAIL ${check.name}: ${outcome.detail}$tag (hint: ${outcome.hint})")
                }
            }
        }
        val verdict = if (failedEssential == 0) "every essential check passed" else "$failedEssential essential check(s) failed"
        out.println("self-test: $passed passed, $failed failed, $skipped skipped; $verdict")
        return if (failedEssential == 0) Cli.EXIT_OK else Cli.EXIT_FAILED
    }

    companion object {
        private const val CAP_NET_RAW = 13

        fun defaultChecks(): List<Check> = listOf(
            Check("privileges", essential = false, ::privileges),
            Check("libpcap", essential = false, ::libpcap),
            Check("raw socket", essential = false, ::rawSocket),
            Check("interfaces", essential = true, ::interfaces),
            Check("dns", essential = true, ::dns),
            Check("loopback", essential = true, ::loopback),
            Check("database", essential = false) { Outcome.Skip("not configured yet (the result store has not landed)") },
        )

        /** Root, or CAP_NET_RAW in the effective set (/proc/self/status). */
        fun privileges(): Outcome {
            val status = File("/proc/self/status").takeIf { it.canRead() }?.readLines().orEmpty()
            val uid = status.firstOrNull { it.startsWith("Uid:") }?.split(Regex("\\s+"))?.getOrNull(2)?.toIntOrNull()
            val capEff = status.firstOrNull { it.startsWith("CapEff:") }?.substringAfter(':')?.trim()?.toLongOrNull(16)
            val hasCap = capEff != null && (capEff shr CAP_NET_RAW) and 1L == 1L
            return when {
                uid == 0 && hasCap -> Outcome.Pass("running as root (CAP_NET_RAW)")
                hasCap -> Outcome.Pass("CAP_NET_RAW in the effective set (uid $uid)")
                uid == null -> Outcome.Skip("not checked (no /proc/self/status on this system)")
                else -> Outcome.Fail("uid $uid without CAP_NET_RAW", "raw scans (-sS, -sU, ...) need root: run with sudo, or setcap cap_net_raw+ep on the java binary")
            }
        }

        fun libpcap(): Outcome {
            val dirs = listOf("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib", "/usr/local/lib")
            val names = listOf("libpcap.so.0.8", "libpcap.so.1", "libpcap.so")
            dirs.flatMap { d -> names.map { File(d, it) } }.firstOrNull { it.exists() }?.let { return Outcome.Pass(it.path) }
            val ldconfig = listOf("/sbin/ldconfig", "/usr/sbin/ldconfig").firstOrNull { File(it).canExecute() }
            if (ldconfig != null) {
                val found = runCatching {
                    val p = ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start()
                    val text = p.inputStream.bufferedReader().readText()
                    p.waitFor(5, TimeUnit.SECONDS)
                    text.lineSequence().firstOrNull { "libpcap.so" in it }?.substringAfter("=>")?.trim()
                }.getOrNull()
                if (found != null) return Outcome.Pass(found)
            }
            return Outcome.Fail("libpcap not found", "install it (Debian: apt-get install libpcap0.8); raw scans need it")
        }

        /**
         * Opens and closes a raw IPv4 socket through JNA when JNA is on the class path (it arrives
         * with the raw-packet module); reflection keeps the CLI free of a hard dependency.
         */
        fun rawSocket(): Outcome {
            val function = try {
                Class.forName("com.sun.jna.Function")
            } catch (e: ClassNotFoundException) {
                return Outcome.Skip("not checked (JNA is not on the class path yet; it comes with the raw-packet module)")
            }
            val get = function.getMethod("getFunction", String::class.java, String::class.java, Int::class.javaPrimitiveType)
            val throwLastError = function.getField("THROW_LAST_ERROR").getInt(null)
            val socket = get.invoke(null, "c", "socket", throwLastError)
            val close = get.invoke(null, "c", "close", 0)
            val invokeInt = function.getMethod("invokeInt", Array<Any>::class.java)
            return try {
                val fd = invokeInt.invoke(socket, arrayOf<Any>(2, 3, 6)) as Int // AF_INET, SOCK_RAW, IPPROTO_TCP
                invokeInt.invoke(close, arrayOf<Any>(fd))
                Outcome.Pass("opened a raw IPv4 socket")
            } catch (e: java.lang.reflect.InvocationTargetException) {
                Outcome.Fail("socket(AF_INET, SOCK_RAW) failed: ${e.targetException.message}", "raw sockets need root or CAP_NET_RAW")
            }
        }

        fun interfaces(): Outcome {
            val up = NetworkInterface.networkInterfaces().toList().filter { runCatching { it.isUp }.getOrDefault(false) }
            if (up.isEmpty()) return Outcome.Fail("no network interface is up", "check the network configuration (ip link)")
            return Outcome.Pass(up.sortedBy { it.index }.joinToString(", ") { i ->
                val addresses = i.inetAddresses.toList().map { IpAddress.ofBytes(it.address).toString() }
                if (addresses.isEmpty()) i.name else "${i.name} (${addresses.joinToString(" ")})"
            })
        }

        /** Resolves `localhost` only: the self-test sends nothing beyond this machine. */
        fun dns(): Outcome {
            val addresses = try {
                InetAddress.getAllByName("localhost").map { it.hostAddress }
            } catch (e: java.net.UnknownHostException) {
                return Outcome.Fail("localhost does not resolve", "check /etc/hosts and /etc/nsswitch.conf")
            }
            return Outcome.Pass("localhost resolves to ${addresses.joinToString(", ")}")
        }

        /** A TCP connection to a local listener, then kmap's own connect scan of it. */
        fun loopback(): Outcome {
            val loopback = InetAddress.getByName("127.0.0.1")
            ServerSocket(0, 50, loopback).use { server ->
                val port = server.localPort
                val t0 = System.nanoTime()
                Socket().use { it.connect(InetSocketAddress(loopback, port), 2_000) }
                val millis = (System.nanoTime() - t0) / 1e6
                val report = kotlinx.coroutines.runBlocking {
                    runScan(scan { targets("127.0.0.1"); ports("$port"); connect(); skipDiscovery(); dns(DnsResolution.NEVER) }, EngineConfig(progressIntervalMillis = 0))
                }
                val state = report.hosts.singleOrNull()?.ports?.singleOrNull()?.state
                if (state != PortState.OPEN) {
                    return Outcome.Fail("connect scan saw 127.0.0.1:$port as ${state?.label ?: "nothing"}, expected open", "check local firewall rules on lo")
                }
                return Outcome.Pass(String.format(Locale.ROOT, "connected to 127.0.0.1:%d in %.2f ms; connect scan found it open", port, millis))
            }
        }
    }
}
