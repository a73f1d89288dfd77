package dev.kmap.lab

import java.io.File

/**
 * Whether this machine can build a [Lab]: Linux, effective uid 0 with CAP_NET_ADMIN and
 * CAP_SYS_ADMIN, and the tools `bash`, `ip` (iproute2), `nft` (nftables) and `python3`.
 *
 * ```kotlin
 * val reason = LabPreconditions.unavailableReason()
 * if (reason != null) println("no lab here: $reason")
 * ```
 */
public object LabPreconditions {
    /** Tools the lab script runs, with the Debian package that provides each. */
    public val REQUIRED_TOOLS: Map<String, String> =
        linkedMapOf("bash" to "bash", "ip" to "iproute2", "nft" to "nftables", "python3" to "python3")

    private const val CAP_NET_ADMIN = 12
    private const val CAP_SYS_ADMIN = 21

    /**
     * Null when a lab can be built here, otherwise why not, in words fit for a skipped test,
     * e.g. "lab tests need root (network namespaces); run bin/test as root".
     *
     * ```kotlin
     * Assumptions.assumeTrue(LabPreconditions.unavailableReason() == null)
     * ```
     */
    public fun unavailableReason(): String? = override?.invoke() ?: reason(
        osName = System.getProperty("os.name") ?: "",
        procStatus = try {
            File("/proc/self/status").readText()
        } catch (_: Exception) {
            null
        },
        findTool = ::findTool,
    )

    /** Test hook: when set, its answer replaces the machine check (null from it = check the machine). */
    @Volatile
    internal var override: (() -> String?)? = null

    /** The decision itself, separated from the machine for tests. */
    internal fun reason(osName: String, procStatus: String?, findTool: (String) -> String?): String? {
        if (!osName.startsWith("Linux")) return "lab tests need Linux network namespaces (os.name=$osName)"
        if (procStatus == null) return "lab tests need /proc/self/status to check for root"
        val euid = field(procStatus, "Uid")?.split(Regex("\\s+"))?.getOrNull(1)?.toIntOrNull()
        if (euid != 0) return "lab tests need root (network namespaces); run bin/test as root (effective uid is ${euid ?: "unknown"})"
        val capEff = field(procStatus, "CapEff")?.toLongOrNull(16)
        if (capEff != null) {
            val missing = listOf("CAP_NET_ADMIN" to CAP_NET_ADMIN, "CAP_SYS_ADMIN" to CAP_SYS_ADMIN)
                .filter { (_, bit) -> capEff and (1L shl bit) == 0L }.map { it.first }
            if (missing.isNotEmpty()) {
                return "lab tests need root with ${missing.joinToString(" and ")} (network namespaces); " +
                    "this root lacks them (unprivileged container?): run in a VM or a privileged container"
            }
        }
        val missingTools = REQUIRED_TOOLS.filterKeys { findTool(it) == null }
        if (missingTools.isNotEmpty()) {
            return "lab tests need ${missingTools.keys.joinToString(", ")}; install " +
                "${missingTools.values.joinToString(" ")} (bin/install-deps does it) or run bin/test as root"
        }
        return null
    }

    /**
     * Null when every one of [services] is installed here, otherwise which are missing and how
     * to install them (`bin/install-deps services`), in words fit for a skipped test.
     *
     * ```kotlin
     * LabPreconditions.servicesUnavailableReason(setOf(LabService.NGINX))?.let { println(it) }
     * ```
     */
    public fun servicesUnavailableReason(services: Set<LabService>): String? {
        val missing = services.filter { !installed(it) }
        if (missing.isEmpty()) return null
        return "lab services need Debian packages not installed here: ${missing.joinToString(" ") { it.debianPackage }}; " +
            "run bin/install-deps services as root (bin/test does it)"
    }

    private fun installed(service: LabService): Boolean = when (service) {
        LabService.POSTGRESQL -> File("/usr/lib/postgresql").listFiles().orEmpty().any { File(it, "bin/initdb").canExecute() }
        else -> findTool(SERVICE_EXECUTABLES.getValue(service)) != null
    }

    private val SERVICE_EXECUTABLES: Map<LabService, String> = mapOf(
        LabService.NGINX to "nginx", LabService.SSH to "sshd", LabService.FTP to "vsftpd", LabService.SMTP to "exim4",
        LabService.REDIS to "redis-server", LabService.MARIADB to "mariadb-install-db", LabService.MEMCACHED to "memcached",
        LabService.DNS to "nsd", LabService.NTP to "chronyd", LabService.SNMP to "snmpd", LabService.VNC to "Xvnc",
        LabService.NGINX_ALT to "nginx", LabService.DNSMASQ to "dnsmasq", LabService.MQTT to "mosquitto",
    )

    private fun field(status: String, name: String): String? =
        status.lineSequence().firstOrNull { it.startsWith("$name:") }?.substringAfter(':')?.trim()

    /** The executable [name] on PATH or in the usual system directories, or null. */
    internal fun findTool(name: String): String? {
        val dirs = (System.getenv("PATH") ?: "").split(File.pathSeparator).filter { it.isNotEmpty() } +
            listOf("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
        return dirs.asSequence().map { File(it, name) }.firstOrNull { it.isFile && it.canExecute() }?.path
    }
}
