package dev.kmap.cli.options

import com.github.ajalt.clikt.parameters.options.NullableOption
import com.github.ajalt.clikt.parameters.options.RawOption
import com.github.ajalt.clikt.parameters.options.convert
import dev.kmap.cli.Hints
import dev.kmap.cli.UserError
import dev.kmap.dsl.InvalidSpecException
import dev.kmap.dsl.TimingTemplate

/**
 * nmap's timing templates: `0`..`5`, `T4`, or a name (`aggressive`), with the DSL's message for
 * anything else.
 *
 * ```kotlin
 * val template by option("--timing", "-T", metavar = "0-5").timingTemplate()
 * ```
 */
internal fun RawOption.timingTemplate(): NullableOption<TimingTemplate, TimingTemplate> = convert("0-5") {
    try { TimingTemplate.parse(it) } catch (e: InvalidSpecException) { throw UserError(e.message ?: "invalid timing template", Hints.HELP) }
}
