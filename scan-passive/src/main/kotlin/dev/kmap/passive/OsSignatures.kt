package dev.kmap.passive

import java.nio.file.Files
import java.nio.file.Path

/**
 * TCP signatures for passive OS guesses, in p0f 3's syntax (`ver:ittl:olen:mss:wsize,scale:
 * olayout:quirks:pclass` under `[tcp:request]` for SYNs and `[tcp:response]` for SYN/ACKs,
 * each after a `label = s|g:class:name:flavor` line). [BUILT_IN] is kmap's own small set;
 * [parse] reads a p0f database (`p0f.fp`), so kmap's guesses can be compared with p0f's on the
 * same file. Other sections (`[mtu]`, `[http:*]`) are skipped.
 *
 * ```kotlin
 * val db = OsSignatures.parse(Path.of("/etc/p0f/p0f.fp").readText(), "p0f.fp")
 * ```
 */
public class OsSignatures private constructor(
    internal val requests: List<Signature>,
    internal val responses: List<Signature>,
) {
    /** One signature line with its label. */
    internal class Signature(
        val label: String, val osClass: String, val generic: Boolean,
        val ver: Int, val ittl: Int, val olen: Int, val mss: Int,
        val wKind: Int, val wValue: Int, val scale: Int,
        val layout: String, val quirks: Set<String>, val pclass: Int,
    )

    /** Signature counts, for messages. */
    override fun toString(): String = "OsSignatures(${requests.size} SYN, ${responses.size} SYN/ACK)"

    /** Parsing and the built-in set. */
    public companion object {
        internal const val W_ANY = 0
        internal const val W_EXACT = 1
        internal const val W_MSS = 2
        internal const val W_MTU = 3
        internal const val W_MOD = 4

        /**
         * Reads signatures in p0f's format from [text]; [name] is for the error message, which
         * names the line: `p0f.fp:123: bad signature '...' (expected ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass)`.
         */
        public fun parse(text: String, name: String = "signatures"): OsSignatures {
            val req = ArrayList<Signature>()
            val resp = ArrayList<Signature>()
            var section = ""
            var label: Triple<String, String, Boolean>? = null
            for ((i, raw) in text.lineSequence().withIndex()) {
                val line = raw.substringBefore(';').trim()
                if (line.isEmpty()) continue
                if (line.startsWith("[")) { section = line; label = null; continue }
                if (section != "[tcp:request]" && section != "[tcp:response]") continue
                val key = line.substringBefore('=').trim()
                val value = line.substringAfter('=', "").trim()
                when (key) {
                    "label" -> {
                        val parts = value.split(':', limit = 4)
                        if (parts.size < 3) throw IllegalArgumentException("$name:${i + 1}: bad label '$value' (expected s|g:class:name:flavor)")
                        val flavor = parts.getOrNull(3)?.takeIf { it.isNotBlank() }
                        label = Triple(parts[2] + (flavor?.let { " $it" } ?: ""), parts[1].removePrefix("!"), parts[0] == "g")
                    }
                    "sig" -> {
                        val l = label ?: throw IllegalArgumentException("$name:${i + 1}: a sig line before any label")
                        val sig = signature(value, l) ?: throw IllegalArgumentException(
                            "$name:${i + 1}: bad signature '$value' (expected ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass)",
                        )
                        if (section == "[tcp:request]") req += sig else resp += sig
                    }
                }
            }
            return OsSignatures(req, resp)
        }

        /** Reads a p0f database file. */
        public fun read(path: Path): OsSignatures = parse(Files.readString(path, Charsets.ISO_8859_1), path.toString())

        private fun signature(value: String, label: Triple<String, String, Boolean>): Signature? {
            val f = value.split(':')
            if (f.size != 8) return null
            val ver = when (f[0]) { "*" -> 0; "4" -> 4; "6" -> 6; else -> return null }
            val ittl = f[1].trimEnd('-').substringBefore('+').toIntOrNull() ?: return null
            val olen = f[2].toIntOrNull() ?: return null
            val mss = if (f[3] == "*") -1 else f[3].toIntOrNull() ?: return null
            val ws = f[4].split(',')
            if (ws.size != 2) return null
            val w = ws[0]
            val (kind, v) = when {
                w == "*" -> W_ANY to 0
                w.startsWith("mss*") -> W_MSS to (w.drop(4).toIntOrNull() ?: return null)
                w.startsWith("mtu*") -> W_MTU to (w.drop(4).toIntOrNull() ?: return null)
                w.startsWith("%") -> W_MOD to (w.drop(1).toIntOrNull()?.takeIf { it > 0 } ?: return null)
                else -> W_EXACT to (w.toIntOrNull() ?: return null)
            }
            val scale = if (ws[1] == "*") -1 else ws[1].toIntOrNull() ?: return null
            val quirks = f[6].split(',').filter { it.isNotBlank() }.toSet()
            val pclass = when (f[7]) { "*" -> -1; "0" -> 0; "+" -> 1; else -> return null }
            return Signature(label.first, label.second, label.third, ver, ittl, olen, mss, kind, v, scale, f[5], quirks, pclass)
        }

        /** kmap's own signatures: common Linux, Windows, macOS and BSD stacks. */
        public val BUILT_IN: OsSignatures by lazy {
            parse(
                """
                [tcp:request]
                label = s:unix:Linux:4.x-6.x
                sig = *:64:0:*:mss*44,*:mss,sok,ts,nop,ws:df,id+:0
                sig = *:64:0:*:mss*44,*:mss,sok,ts,nop,ws::0
                sig = *:64:0:*:mss*45,*:mss,sok,ts,nop,ws:df,id+:0
                sig = *:64:0:*:mss*1,*:mss,sok,ts,nop,ws:df,id+:0
                sig = *:64:0:*:mss*1,*:mss,sok,ts,nop,ws::0
                label = s:unix:Linux:3.11 and newer
                sig = *:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0
                sig = *:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0
                label = s:unix:Linux:2.6.x
                sig = *:64:0:*:mss*4,6:mss,sok,ts,nop,ws:df,id+:0
                sig = *:64:0:*:mss*4,7:mss,sok,ts,nop,ws:df,id+:0
                label = g:unix:Linux:
                sig = *:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0
                sig = *:64:0:*:*,*:mss,sok,ts,nop,ws::0
                label = s:win:Windows:10 or 11
                sig = *:128:0:*:64240,8:mss,nop,ws,nop,nop,sok:df,id+:0
                sig = *:128:0:*:65535,8:mss,nop,ws,nop,nop,sok:df,id+:0
                label = s:win:Windows:7 or 8
                sig = *:128:0:*:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0
                sig = *:128:0:*:8192,2:mss,nop,ws,nop,nop,sok:df,id+:0
                sig = *:128:0:*:8192,0:mss,nop,nop,sok:df,id+:0
                label = g:win:Windows:
                sig = *:128:0:*:*,*:mss,nop,ws,nop,nop,sok:df,id+:0
                label = s:unix:Mac OS X:
                sig = *:64:0:*:65535,6:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0
                sig = *:64:0:*:65535,5:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0
                sig = *:64:0:*:65535,3:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0
                label = s:unix:FreeBSD:
                sig = *:64:0:*:65535,6:mss,nop,ws,sok,ts:df,id+:0
                sig = *:64:0:*:65535,9:mss,nop,ws,sok,ts:df,id+:0
                label = s:unix:OpenBSD:
                sig = *:64:0:*:16384,3:mss,nop,nop,sok,nop,ws,nop,nop,ts:df,id+:0

                [tcp:response]
                label = s:unix:Linux:4.x-6.x
                sig = *:64:0:*:mss*45,*:mss,sok,ts,nop,ws:df:0
                sig = *:64:0:*:65160,*:mss,sok,ts,nop,ws:df:0
                sig = *:64:0:*:mss*1,*:mss,sok,ts,nop,ws:df:0
                label = s:unix:Linux:3.x
                sig = *:64:0:*:mss*10,*:mss,sok,ts,nop,ws:df:0
                sig = *:64:0:*:mss*10,0:mss,sok,ts:df:0
                sig = *:64:0:*:mss*10,*:mss,nop,nop,sok,nop,ws:df:0
                label = g:unix:Linux:
                sig = *:64:0:*:*,*:mss,sok,ts,nop,ws:df:0
                sig = *:64:0:*:*,*:mss,sok,ts,nop,ws::0
                sig = *:64:0:*:*,*:mss,nop,nop,sok,nop,ws:df:0
                label = s:win:Windows:
                sig = *:128:0:*:65535,8:mss,nop,ws,nop,nop,sok:df,id+:0
                sig = *:128:0:*:8192,8:mss,nop,ws,sok,ts:df,id+:0
                sig = *:128:0:*:8192,0:mss,sok,ts:df,id+:0
                label = s:unix:FreeBSD:
                sig = *:64:0:*:65535,6:mss,nop,ws,sok,ts:df,id+:0
                """.trimIndent(),
                "built-in signatures",
            )
        }
    }
}
