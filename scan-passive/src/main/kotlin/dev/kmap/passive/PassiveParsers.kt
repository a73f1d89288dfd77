package dev.kmap.passive

import dev.kmap.passive.internal.BannerProtocol
import dev.kmap.passive.internal.DnsProtocol
import dev.kmap.passive.internal.DnsTcpProtocol
import dev.kmap.passive.internal.HttpProtocol
import dev.kmap.passive.internal.SshProtocol
import dev.kmap.passive.internal.TlsProtocol

/**
 * The protocols a passive run understands, asked in order: [stream] protocols for TCP flows
 * (recognised by their first bytes), [datagram] protocols for UDP, and the [matcher] for
 * banners of servers that speak first. A TCP flow no stream protocol accepts is given to the
 * banner parser when its server spoke first, and otherwise not reassembled at all.
 *
 * ```kotlin
 * val parsers = PassiveParsers.DEFAULT.copy(stream = listOf(Redis) + PassiveParsers.DEFAULT.stream)
 * ```
 */
public data class PassiveParsers(
    val stream: List<StreamProtocol>,
    val datagram: List<DatagramProtocol>,
    val matcher: ServiceMatcher = ServiceMatcher.NONE,
) {
    /** The built-in sets. */
    public companion object {
        /** TLS, SSH, HTTP/1.x and DNS over TCP; DNS over UDP (ports 53, 5353, 5355). */
        public val DEFAULT: PassiveParsers = PassiveParsers(
            stream = listOf(TlsProtocol, SshProtocol, HttpProtocol, DnsTcpProtocol),
            datagram = listOf(DnsProtocol),
        )

        /** The banner parser, used when no stream protocol accepts a flow whose server spoke first. */
        public val BANNER: StreamProtocol = BannerProtocol
    }
}
