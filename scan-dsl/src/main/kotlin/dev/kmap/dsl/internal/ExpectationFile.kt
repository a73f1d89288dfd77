package dev.kmap.dsl.internal

import dev.kmap.dsl.AllowedService
import dev.kmap.dsl.Expectation
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.Protocol
import dev.kmap.dsl.invalid

private const val RULE_NAMES = "open, closed, nothing-else-open, services, service, min-version, tls-valid-for, no-change-from-baseline"

/** The rules of an expectation file in the line format (see `Expectations`). */
internal fun parseExpectationLines(text: String, source: String): List<Expectation> {
    val rules = ArrayList<Expectation>()
    text.lineSequence().forEachIndexed { i, raw ->
        val line = raw.substringBefore('#').trim()
        if (line.isEmpty()) return@forEachIndexed
        try {
            rules += parseLine(line)
        } catch (e: InvalidSpecException) {
            invalid("$source:${i + 1}: ${e.message}")
        }
    }
    return rules
}

private fun parseLine(line: String): List<Expectation> {
    var words = line.split(Regex("\\s+"))
    var from: String? = null
    val fromAt = words.indexOf("from")
    if (fromAt >= 0) {
        if (fromAt != words.size - 2) invalid("\"from\" must be followed by exactly one CIDR block at the end of the line (got \"${words.drop(fromAt).joinToString(" ")}\")")
        from = words.last()
        words = words.subList(0, fromAt)
    }
    val name = words.firstOrNull() ?: invalid("\"from $from\" without a rule (expected e.g. open 22 from $from)")
    val args = words.drop(1)
    val rules: List<Expectation> = when (name) {
        "open" -> ports(name, args).map { (p, proto) -> Expectation.Open(p, proto) }
        "closed" -> ports(name, args).map { (p, proto) -> Expectation.Closed(p, proto) }
        "nothing-else-open" -> { none(name, args); listOf(Expectation.NothingElseOpen()) }
        "no-change-from-baseline" -> { none(name, args); listOf(Expectation.NoChangeFromBaseline()) }
        "services" -> {
            if (args.isEmpty()) invalid("services needs at least one service name (e.g. services ssh https)")
            listOf(Expectation.Services(args.map { service(it) }))
        }
        "tls-valid-for" -> listOf(tls(args))
        "service" -> {
            if (args.size != 2) invalid("service expects PORT NAME, e.g. service 443 nginx (got \"${args.joinToString(" ")}\")")
            ports(name, args.take(1)).map { (p, proto) -> Expectation.Service(p, args[1], proto) }
        }
        "min-version" -> {
            if (args.size != 2) invalid("min-version expects PRODUCT VERSION, e.g. min-version openssh 9.0 (got \"${args.joinToString(" ")}\")")
            listOf(Expectation.MinVersion(args[0], args[1]))
        }
        else -> invalid("unknown rule \"$name\" (expected one of $RULE_NAMES)")
    }
    return if (from == null) rules else rules.map { it.from(from) }
}

private fun none(name: String, args: List<String>) {
    if (args.isNotEmpty()) invalid("$name takes no arguments (got \"${args.joinToString(" ")}\")")
}

private fun ports(name: String, args: List<String>): List<Pair<Int, Protocol>> {
    if (args.size != 1) invalid("$name needs one port list such as 22, 53/udp or 22,443 (got \"${args.joinToString(" ")}\")")
    return args.single().split(',').map { item ->
        val portText = item.substringBefore('/')
        val proto = when (val p = item.substringAfter('/', "tcp")) {
            "tcp" -> Protocol.TCP
            "udp" -> Protocol.UDP
            else -> invalid("unknown protocol \"$p\" in \"$item\" (expected tcp or udp)")
        }
        val port = portText.toIntOrNull()?.takeIf { it in 0..65535 }
            ?: invalid("invalid port \"$portText\" in \"$item\" (expected a number 0..65535)")
        port to proto
    }
}

private fun service(word: String): AllowedService {
    val at = word.indexOf('@')
    return if (at < 0) AllowedService(word) else AllowedService(word.substring(0, at), word.substring(at + 1))
}

private fun tls(args: List<String>): Expectation {
    val usage = "tls-valid-for expects DAYS [on PORTS] [allow-self-signed] [trust FILE]"
    val days = args.firstOrNull()?.toIntOrNull()
        ?: invalid("tls-valid-for needs a number of days (e.g. tls-valid-for 30 on 443), got \"${args.joinToString(" ")}\"")
    var ports: List<Int>? = null
    var allowSelfSigned = false
    var trust: String? = null
    var i = 1
    while (i < args.size) {
        when (args[i]) {
            "on" -> {
                val list = args.getOrNull(i + 1)?.takeIf { ports == null } ?: invalid("$usage (got \"${args.joinToString(" ")}\")")
                ports = list.split(',').map {
                    it.toIntOrNull()?.takeIf { p -> p in 0..65535 } ?: invalid("invalid port \"$it\" in \"$list\" (expected a number 0..65535)")
                }
                i += 2
            }
            "allow-self-signed" -> { allowSelfSigned = true; i++ }
            "trust" -> { trust = args.getOrNull(i + 1)?.takeIf { trust == null } ?: invalid("$usage (got \"${args.joinToString(" ")}\")"); i += 2 }
            else -> invalid("$usage (got \"${args.joinToString(" ")}\")")
        }
    }
    return Expectation.TlsCertificateValid(days, ports ?: Expectation.DEFAULT_TLS_PORTS, allowSelfSigned = allowSelfSigned, trust = trust)
}
