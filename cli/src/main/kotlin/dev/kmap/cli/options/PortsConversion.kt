package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.options.NullableOption
import com.github.ajalt.clikt.parameters.options.RawOption
import com.github.ajalt.clikt.parameters.options.convert
import dev.kmap.cli.Hints
import dev.kmap.cli.UserError
import dev.kmap.dsl.DiscoveryProbeKind
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.PortSet
import dev.kmap.dsl.Protocol

/**
 * A port specification in nmap's syntax (`22`, `1-1024`, `-`, `U:53,T:80-90`, `http`,
 * `[1-1024]`), checked when parsed; the value is the text, which the DSL reads again. A bad
 * value gets the DSL's message and the ports hint.
 *
 * ```kotlin
 * val ports by option("-p", metavar = "PORTS").ports()
 * ```
 */
internal fun RawOption.ports(): NullableOption<String, String> = convert("PORTS") { checkPorts(it) }

/** A TCP port list for discovery (`-PS22,443`): at most [max] ports. */
internal fun RawOption.pingPorts(max: Int = MAX_PING_PORTS): NullableOption<List<Int>, List<Int>> = convert("PORTS") { text ->
    val set = try { PortSet.parse(text) } catch (e: InvalidSpecException) { throw UserError(e.message ?: "invalid ports", Hints.PORTS) }
    val flag = DiscoveryProbeKind.entries.firstOrNull { it.longFlag == name }?.flag ?: name
    if (set.tcp.size > max) throw UserError("$flag lists ${set.tcp.size} ports", "discovery takes a few ports, e.g. ${flag}22,80,443")
    set.tcp.toList()
}

private fun checkPorts(text: String): String {
    try { PortSet.parse(text, setOf(Protocol.TCP, Protocol.UDP)) } catch (e: InvalidSpecException) { throw UserError(e.message ?: "invalid ports", Hints.PORTS) }
    return text
}

private const val MAX_PING_PORTS = 100
