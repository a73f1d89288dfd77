package dev.kmap.script

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.Protocol
import dev.kmap.engine.Host
import dev.kmap.engine.HostResult
import dev.kmap.engine.HostStatus
import dev.kmap.engine.PortResult
import dev.kmap.engine.PortState
import dev.kmap.engine.ServiceInfo
import kotlin.test.Test
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Port rules follow what -sV found: http on 18080, TLS on 18443, as nmap's shortport does. */
class ShortportServiceTest {
    private fun scope(port: Int, service: String?, info: ServiceInfo? = null): PortRuleScope {
        val p = PortResult(port, Protocol.TCP, PortState.OPEN, "syn-ack", service, serviceInfo = info)
        return PortRuleScope(HostResult(Host(IpAddress.parse("10.0.0.5")), HostStatus.UP, "user-set", listOf(p)), p)
    }

    @Test
    fun `detected services select scripts on any port`() {
        assertFalse(Shortport.http.matches(scope(18080, null)))
        assertTrue(Shortport.http.matches(scope(18080, "http", ServiceInfo("http", product = "nginx"))))
        assertFalse(Shortport.ssl.matches(scope(18443, "http", ServiceInfo("http"))))
        val tls = scope(18443, "http", ServiceInfo("http", product = "nginx", tunnel = "ssl"))
        assertTrue(Shortport.ssl.matches(tls))
        assertTrue(Shortport.http.matches(tls))
        assertTrue(Shortport.ssl.matches(scope(443, "https")))
    }
}
