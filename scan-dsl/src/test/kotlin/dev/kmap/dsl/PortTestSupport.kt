package dev.kmap.dsl

/**
 * Builds a [PortList] from nmap list syntax (`1-3,5`) WITHOUT the parser under test, so expected
 * values in tests do not depend on [PortSet.parse].
 */
internal fun ports(list: String): PortList {
    if (list.isEmpty()) return PortList.EMPTY
    return PortList.ofRanges(list.split(',').map { item ->
        val parts = item.split('-')
        parts[0].toInt()..parts.last().toInt()
    })
}

internal fun tcp(list: String): PortSet = PortSet(tcp = ports(list))
internal fun udp(list: String): PortSet = PortSet(udp = ports(list))
internal fun both(list: String): PortSet = PortSet(tcp = ports(list), udp = ports(list))
