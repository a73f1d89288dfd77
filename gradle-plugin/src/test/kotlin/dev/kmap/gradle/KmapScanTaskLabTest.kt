package dev.kmap.gradle

import dev.kmap.dsl.DnsResolution
import dev.kmap.dsl.IpAddress
import dev.kmap.gradle.internal.ScanJob
import dev.kmap.lab.HostPorts
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import dev.kmap.lab.RequiresLab
import org.gradle.api.tasks.VerificationException
import org.gradle.testfixtures.ProjectBuilder
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

/**
 * The scan task against real hosts in the lab (IPv4 and IPv6), with rules limited by `from`:
 * the violations are exactly those the lab's ground truth implies.
 */
@RequiresLab(config = KmapScanTaskLabTest.Config::class)
class KmapScanTaskLabTest {
    class Config : LabConfigProvider {
        override fun config() = LabConfig(
            prefix = "kmg",
            hosts = 2,
            net4 = "10.220.0",
            net6 = "fd10:220::",
            anyIpPrefix = null,
            hostPorts = mapOf(2 to HostPorts(tcp = setOf(22, 443), filteredTcp = setOf(8081))),
        ).withSystemOverrides()
    }

    @TempDir
    lateinit var dir: File

    @Test
    fun `the task reports exactly the violations of the lab's ground truth`(lab: Lab) {
        val h1 = lab.host(1) // tcp 22, 80, 443, 8080 open; 8081 filtered
        val h2 = lab.host(2) // tcp 22, 443 open; 8081 filtered
        val v6 = IpAddress.parse(h1.ipv6).toString()
        val p = ProjectBuilder.builder().withProjectDir(dir).build()
        p.pluginManager.apply(KmapPlugin.ID)
        p.extensions.getByType(KmapExtension::class.java).scans.register("lab") { s ->
            s.targets(h1.ipv4, h2.ipv4, h1.ipv6)
            s.ports("22,80,443,8080,8081")
            s.scan { connect(); skipDiscovery(); dns(DnsResolution.NEVER) }
            s.expect {
                open(443)
                open(8080) from h2.ipv4
                closed(8081)
                services("ssh", "http", "https", "http-proxy")
                nothingElseOpen() from "fd10:220::/64"
            }
            s.reports { junit() }
        }
        val task = p.tasks.getByName("kmapScanLab") as KmapScanTask
        task.executor = ScanExecutor { ScanJob.run(it) }
        val e = assertFailsWith<VerificationException> { task.actions.forEach { it.execute(task) } }
        assertEquals(
            "kmap scan 'lab' broke 4 expectations:\n" +
                "  ${h2.ipv4} port 8080/tcp: expected open (open 8080/tcp from ${h2.ipv4}), found closed\n" +
                "  $v6 port 22/tcp: expected not open (nothing-else-open from fd10:220::/64), found open\n" +
                "  $v6 port 80/tcp: expected not open (nothing-else-open from fd10:220::/64), found open\n" +
                "  $v6 port 8080/tcp: expected not open (nothing-else-open from fd10:220::/64), found open\n" +
                "Reports: ${File(dir, "build/reports/kmap/lab").path}",
            e.message,
        )
        val junit = File(dir, "build/reports/kmap/lab/lab.junit.xml").readText()
        assertEquals(1, Regex("<testsuite name=\"kmap expectations\" tests=\"5\" failures=\"2\"").findAll(junit).count(), junit)
    }
}
