package dev.kmap.engine

import java.util.concurrent.TimeUnit

/** Runs [args] (a lab test's `ip`, `nft`, `kill`) and returns its output; fails with that output when it fails. */
internal fun command(vararg args: String): String {
    val p = ProcessBuilder(*args).redirectErrorStream(true).start()
    val out = p.inputStream.bufferedReader().readText()
    check(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) { "${args.joinToString(" ")}: $out" }
    return out
}
