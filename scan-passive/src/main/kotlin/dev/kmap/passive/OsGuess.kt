package dev.kmap.passive

/**
 * A p0f-style OS guess from the fields of one SYN or SYN/ACK: the matching signature's [label]
 * (`Linux 3.11 and newer`), its [osClass] (`unix`, `win`), whether it matched only loosely
 * ([fuzzy]: the TTL differed or a generic signature matched), and the observed signature in
 * p0f's syntax ([signature], `4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0`), also
 * when nothing matched ([label] is then null).
 *
 * ```kotlin
 * if (hint.guess.label != null) println("${hint.address} looks like ${hint.guess.label}")
 * ```
 */
public data class OsGuess(val label: String?, val osClass: String?, val fuzzy: Boolean, val signature: String, val distance: Int)
