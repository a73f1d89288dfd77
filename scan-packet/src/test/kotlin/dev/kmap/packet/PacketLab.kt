package dev.kmap.packet

import dev.kmap.dsl.IpAddress
import dev.kmap.lab.Lab
import dev.kmap.lab.LabConfig
import dev.kmap.lab.LabConfigProvider
import java.util.concurrent.TimeUnit
import kotlin.test.fail

/**
 * scan-packet's own lab: prefix kmp, 10.208.0.0/24, fd10:208::/64, ICMP errors not rate-limited.
 * No AnyIP prefix: none of these tests needs one, and 10.209.0.0/16 (assigned to this module)
 * has been seen in use as another concurrent lab's /24, which makes `lab.sh up` refuse.
 */
object PacketLab : LabConfigProvider {
    override fun config() = LabConfig(
        prefix = "kmp",
        hosts = 2,
        net4 = "10.208.0",
        net6 = "fd10:208::",
        anyIpPrefix = null,
        liftIcmpRateLimit = true,
    )

    /**
     * Refuses (fails the test) unless the kernel routes [address] over the lab bridge: if the lab
     * were down, lab addresses would route to the outside world. Checked before any send.
     */
    fun requireLabRoute(lab: Lab, address: IpAddress) {
        val p = ProcessBuilder("ip", "-o", "route", "get", address.toString()).redirectErrorStream(true).start()
        p.outputStream.close()
        val out = p.inputStream.bufferedReader().readText()
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            fail("ip route get $address timed out")
        }
        if (!Regex("\\bdev ${Regex.escape(lab.bridge)}\\b").containsMatchIn(out)) fail("refusing to send: $address does not route via ${lab.bridge}: $out")
    }
}
