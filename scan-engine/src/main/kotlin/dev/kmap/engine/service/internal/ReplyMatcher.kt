package dev.kmap.engine.service.internal

import dev.kmap.dsl.ServiceMatch
import dev.kmap.dsl.ServiceProbe
import dev.kmap.engine.ServiceInfo
import java.util.regex.Matcher
import java.util.regex.Pattern

/** A match rule with its compiled pattern. */
internal class CompiledMatch(val match: ServiceMatch, val pattern: Pattern)

/** A probe with its compiled matches and the probes it falls back to (resolved after loading). */
internal class CompiledProbe(val probe: ServiceProbe, val matches: List<CompiledMatch>) {
    var fallbacks: List<CompiledProbe> = emptyList()
}

/** The outcome of matching one reply: the rule that matched and what it says. */
internal class MatchHit(val match: CompiledMatch, val info: ServiceInfo) {
    val soft: Boolean get() = match.match.soft
    val hasVersion: Boolean get() = info.version != null
}

/**
 * Matches replies against compiled rules with bounded work: at most [MAX_REPLY] characters of
 * a reply are looked at, and each pattern gets [PATTERN_BUDGET_NANOS] of CPU before it is
 * abandoned (catastrophic backtracking on a hostile reply costs one skipped rule, not a hang).
 */
internal object ReplyMatcher {
    const val MAX_REPLY = 64 * 1024
    const val PATTERN_BUDGET_NANOS = 50_000_000L

    /**
     * The first hit for [reply] among [probe]'s matches, then its fallbacks'. With [onlyService]
     * set (after a soft match), only rules for that service count. [skipSoft] ignores soft rules.
     */
    fun match(probe: CompiledProbe, reply: String, onlyService: String? = null, skipSoft: Boolean = false): MatchHit? {
        val text = if (reply.length > MAX_REPLY) reply.substring(0, MAX_REPLY) else reply
        var soft: MatchHit? = null
        for (p in listOf(probe) + probe.fallbacks) {
            for (m in p.matches) {
                if (onlyService != null && m.match.service != onlyService) continue
                if (m.match.soft && (skipSoft || soft != null)) continue
                val matcher = find(m.pattern, text) ?: continue
                val hit = MatchHit(m, info(m.match, matcher, p.probe.name))
                if (!m.match.soft) return hit
                soft = hit
            }
        }
        return soft
    }

    /** The matcher positioned on the first match of [pattern] in [text], or null (also when it ran out of time). */
    fun find(pattern: Pattern, text: String): Matcher? {
        val seq = DeadlineText(text, System.nanoTime() + PATTERN_BUDGET_NANOS)
        val m = pattern.matcher(seq)
        return try {
            if (m.find()) m else null
        } catch (e: DeadlineText.Expired) {
            null
        } catch (e: StackOverflowError) {
            null // deep recursion in java.util.regex on a long alternation: treated as no match
        }
    }

    fun info(match: ServiceMatch, m: Matcher, probe: String): ServiceInfo {
        fun t(template: String?): String? = template?.let { MatchTemplate.apply(it, m).trim() }?.takeIf { it.isNotEmpty() }
        return ServiceInfo(
            name = match.service, product = t(match.product), version = t(match.version), extraInfo = t(match.info),
            hostname = t(match.hostname), osType = t(match.os), deviceType = t(match.device),
            cpe = match.cpe.map { MatchTemplate.cpe(it, m) }, probe = probe,
        )
    }
}

/** A reply that stops a regex when its deadline passes (checked every 1024 reads). */
internal class DeadlineText(private val text: String, private val deadline: Long, private val start: Int = 0, private val end: Int = text.length) : CharSequence {
    class Expired : RuntimeException(null, null, false, false)

    private var reads = 0

    override val length: Int get() = end - start

    override fun get(index: Int): Char {
        if (++reads and 1023 == 0 && System.nanoTime() > deadline) throw Expired()
        return text[start + index]
    }

    override fun subSequence(startIndex: Int, endIndex: Int): CharSequence = text.substring(start + startIndex, start + endIndex)

    override fun toString(): String = text.substring(start, end)
}
