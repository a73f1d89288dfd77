package dev.kmap.dsl.internal

import dev.kmap.dsl.IpAddress
import dev.kmap.dsl.TargetSpec
import dev.kmap.dsl.invalid

private const val OCTET_CHARS = "0123456789.,-*"

/**
 * Decides what kind of target [raw] is and parses it (see [TargetSpec.parse]):
 * `/` means CIDR; `:` means an IPv6 address or range; digits, dots, `,`, `-` and `*` mean an
 * IPv4 address, an address range `a.b.c.d-e.f.g.h` or an octet pattern; anything else is a
 * host name.
 */
internal fun parseTargetSpec(raw: String): TargetSpec {
    val text = raw.trim()
    if (text.isEmpty()) invalid("empty target (expected an address, CIDR, range or host name)")
    if (text.any { it.isWhitespace() }) {
        invalid("invalid target ${quote(text)} (contains whitespace; expected one address, CIDR, range or host name)")
    }
    val slash = text.indexOf('/')
    if (slash >= 0) return parseCidr(text, slash)
    if (':' in text) {
        if ('-' !in text) return TargetSpec.Address(parseV6(text, text))
        return parseRange(text)
    }
    if (text.all { it in OCTET_CHARS }) {
        val dash = text.indexOf('-')
        if (dash >= 0 && text.indexOf('-', dash + 1) < 0 &&
            isDottedQuad(text.substring(0, dash)) && isDottedQuad(text.substring(dash + 1))
        ) {
            return parseRange(text)
        }
        if (text.none { it == ',' || it == '-' || it == '*' }) {
            return TargetSpec.Address(IpAddress.of(false, 0L, parseV4Bits(text, text)))
        }
        val pattern = OctetPattern.parse(text)
        // A pattern of one address (`10.0.0.-0`) is that address, so its text parses back the same.
        if (pattern.size == 1L) return TargetSpec.Address(IpAddress.of(false, 0L, pattern.minBits))
        return TargetSpec.OctetRange(pattern.canonical)
    }
    checkHostName(text)
    return TargetSpec.HostName(text)
}

private fun parseRange(text: String): TargetSpec.AddressRange {
    val parts = text.split('-')
    if (parts.size != 2) {
        invalid("invalid address range ${quote(text)} (expected first-last such as 10.0.0.5-10.0.0.20 or fd00::1-fd00::ff)")
    }
    val first = parseIp(parts[0], text)
    val last = parseIp(parts[1], text)
    checkRange(first, last, text)
    return TargetSpec.AddressRange(first, last)
}

/** Raises unless [first] and [last] are of one family and in order; [ctx] names the range. */
internal fun checkRange(first: IpAddress, last: IpAddress, ctx: String) {
    if (first.isV6 != last.isV6) {
        invalid("invalid address range ${quote(ctx)} (both ends must be of the same address family)")
    }
    if (first > last) {
        invalid("invalid address range ${quote(ctx)} (the first address $first is after the last $last)")
    }
}

private fun parseCidr(text: String, slash: Int): TargetSpec.Cidr {
    val left = text.substring(0, slash)
    val right = text.substring(slash + 1)
    val base = when {
        ':' in left || isDottedQuad(left) -> parseIp(left, text)
        left.isNotEmpty() && left.any { it !in OCTET_CHARS } && hostNameProblem(left) == null ->
            invalid(
                "host name with a prefix ${quote(text)} is not supported (expected address/prefix such as " +
                    "10.0.0.0/24; names are resolved later, by the engine)",
            )
        else -> invalid("invalid CIDR ${quote(text)} (expected address/prefix such as 10.0.0.0/24 or fd00::/120)")
    }
    val bits = if (base.isV6) 128 else 32
    val family = if (base.isV6) "IPv6" else "IPv4"
    val prefix = decimalOrMinus1(right, 999)
    if (prefix < 0) invalid("invalid CIDR prefix ${quote("/$right")} in ${quote(text)} (expected a number, $family prefixes are 0..$bits)")
    if (prefix > bits) invalid("invalid CIDR prefix /${shortToken(right)} in ${quote(text)} ($family prefixes are 0..$bits)")
    return TargetSpec.Cidr(networkOf(base, prefix), prefix)
}

/** [address] with its host bits (beyond [prefix]) cleared. */
internal fun networkOf(address: IpAddress, prefix: Int): IpAddress {
    val bits = if (address.isV6) 128 else 32
    return IpAddress.of(
        address.isV6,
        address.high and prefixMaskHigh(bits, prefix),
        address.low and prefixMaskLow(bits, prefix),
    )
}

/** Raises unless ([base], [prefix]) is a valid CIDR block with no host bits set. */
internal fun checkCidr(base: IpAddress, prefix: Int) {
    val bits = if (base.isV6) 128 else 32
    val family = if (base.isV6) "IPv6" else "IPv4"
    if (prefix !in 0..bits) invalid("invalid CIDR prefix /$prefix for $base ($family prefixes are 0..$bits)")
    val net = networkOf(base, prefix)
    if (net != base) invalid("invalid CIDR $base/$prefix (host bits are set; expected the network address $net/$prefix)")
}
