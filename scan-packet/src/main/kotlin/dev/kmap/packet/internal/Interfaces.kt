package dev.kmap.packet.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.packet.MacAddress
import java.net.Inet4Address
import java.net.NetworkInterface

/** One address of an interface; [flags] and [scope] are /proc/net/if_inet6's (0 for IPv4). */
internal data class InterfaceAddress(val address: IpAddress, val prefixLength: Int, val scope: Int = 0, val flags: Int = 0) {
    val usable: Boolean get() = flags and (IFA_F_TENTATIVE or IFA_F_DADFAILED) == 0
    val deprecated: Boolean get() = flags and IFA_F_DEPRECATED != 0

    companion object {
        const val IFA_F_DADFAILED = 0x08
        const val IFA_F_DEPRECATED = 0x20
        const val IFA_F_TENTATIVE = 0x40
        const val SCOPE_HOST = 0x10
        const val SCOPE_LINK = 0x20
    }
}

/** What routing needs to know of an interface. */
internal data class InterfaceInfo(
    val name: String,
    val isLoopback: Boolean,
    val mac: MacAddress?,
    val addresses: List<InterfaceAddress>,
)

internal object Interfaces {
    /**
     * This machine's interfaces: names, loopback flag and MAC from [NetworkInterface], IPv4
     * addresses from it too (in the kernel's order, primary first), IPv6 addresses with their
     * flags from [ifInet6] (the text of /proc/net/if_inet6).
     */
    fun load(ifInet6: String?): List<InterfaceInfo> {
        val v6 = ifInet6?.let { parseIfInet6(it) } ?: emptyMap()
        val all = NetworkInterface.getNetworkInterfaces()?.toList() ?: emptyList()
        return all.map { nif ->
            val loopback = runCatching { nif.isLoopback }.getOrDefault(false)
            val hw = runCatching { nif.hardwareAddress }.getOrNull()
            val mac = if (!loopback && hw != null && hw.size == 6) MacAddress.ofBytes(hw) else null
            val v4 = nif.interfaceAddresses.filter { it.address is Inet4Address }
                .map { InterfaceAddress(IpAddress.ofBytes(it.address.address), it.networkPrefixLength.toInt()) }
            InterfaceInfo(nif.name, loopback, mac, v4 + (v6[nif.name] ?: emptyList()))
        }
    }

    /** /proc/net/if_inet6: `address(32 hex) ifindex plen scope flags name` per line. */
    fun parseIfInet6(text: String): Map<String, List<InterfaceAddress>> {
        val out = LinkedHashMap<String, MutableList<InterfaceAddress>>()
        for (line in text.lineSequence()) {
            val f = line.trim().split(WS)
            if (f.size < 6 || f[0].length != 32) continue
            val address = hex16(f[0]) ?: continue
            val plen = f[2].toIntOrNull(16) ?: continue
            val scope = f[3].toIntOrNull(16) ?: continue
            val flags = f[4].toIntOrNull(16) ?: continue
            out.getOrPut(f[5]) { ArrayList() } += InterfaceAddress(address, plen, scope, flags)
        }
        return out
    }

    /** 32 hex digits as an IPv6 address, or null. */
    fun hex16(hex: String): IpAddress? {
        if (hex.length != 32) return null
        val bytes = ByteArray(16)
        for (i in 0 until 16) bytes[i] = (hex.substring(2 * i, 2 * i + 2).toIntOrNull(16) ?: return null).toByte()
        return IpAddress.ofBytes(bytes)
    }

    val WS = Regex("\\s+")
}
