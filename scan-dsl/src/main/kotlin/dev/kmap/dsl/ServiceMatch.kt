package dev.kmap.dsl

import kotlinx.serialization.EncodeDefault
import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.Serializable

/**
 * One match rule of a [ServiceProbe]: when [pattern] (a regular expression in nmap's PCRE
 * dialect, applied to the reply's bytes as ISO-8859-1 characters; [caseInsensitive] is nmap's
 * `i` flag, [dotAll] its `s`) matches, the port runs [service]. A [soft] match only narrows the
 * search (nmap's `softmatch`): later probes are limited to those that can name the product.
 *
 * The other fields are templates (nmap's `p/ v/ i/ h/ o/ d/ cpe:/`): `$1`..`$9` insert a
 * group, `$P(n)` its printable characters, `$SUBST(n,"a","b")` it with `a` replaced by `b`,
 * `$I(n,">")` it read as a big-endian (`<`: little-endian) unsigned number.
 *
 * ```kotlin
 * ServiceMatch("ssh", "^SSH-([\\d.]+)-OpenSSH_([\\w.]+)", product = "OpenSSH", version = "$2",
 *     info = "protocol $1", cpe = listOf("cpe:/a:openbsd:openssh:$2"))
 * ```
 */
@OptIn(ExperimentalSerializationApi::class)
@Serializable
public data class ServiceMatch(
    val service: String,
    val pattern: String,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val caseInsensitive: Boolean = false,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val dotAll: Boolean = false,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val soft: Boolean = false,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val product: String? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val version: String? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val info: String? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val hostname: String? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val os: String? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val device: String? = null,
    @EncodeDefault(EncodeDefault.Mode.NEVER) val cpe: List<String> = emptyList(),
    @EncodeDefault(EncodeDefault.Mode.NEVER) val source: String? = null,
) {
    init {
        if (service.isEmpty() || service.any { it.isWhitespace() }) invalid("invalid service name \"$service\" (expected a word such as http or ssh)")
    }
}
