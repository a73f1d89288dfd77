package dev.kmap.packet

/**
 * The Ethernet header addresses of frames a template builds: our interface's [source] and the
 * next hop's [destination] (the default; probes may override it per frame). Templates built
 * without one produce bare IP packets, for [PacketIo]s that send through a raw IP socket.
 *
 * ```kotlin
 * val eth = EthernetAddresses(source = route.interfaceMac!!, destination = nextHopMac)
 * val syn = TcpProbeTemplate(route.source, eth, TcpFlags.SYN)
 * ```
 *
 * @property source the sending interface's address.
 * @property destination the next hop's address.
 */
public data class EthernetAddresses(val source: MacAddress, val destination: MacAddress)
