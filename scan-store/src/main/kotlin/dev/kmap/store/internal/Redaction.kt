package dev.kmap.store.internal

import dev.kmap.dsl.SecretArguments

/**
 * Leaves secrets out of what the store keeps of a command line: the secret values of
 * `--script-args` ([SecretArguments], the one rule reports follow too) and passwords in store
 * URLs (`--store`).
 */
internal object Redaction {
    fun arguments(args: List<String>): List<String> {
        val out = ArrayList<String>(args.size)
        var i = 0
        while (i < args.size) {
            val a = args[i]
            when {
                a == "--store" && i + 1 < args.size -> { out += a; out += StoreUrls.redact(args[i + 1]); i += 2; continue }
                a.startsWith("--store=") -> out += "--store=" + StoreUrls.redact(a.removePrefix("--store="))
                else -> out += a
            }
            i++
        }
        return SecretArguments.redactCommandLine(out)
    }

    /** A command line as one string: the same rules applied word by word. */
    fun commandLine(line: String): String {
        var s = line.replace(Regex("(--store[= ]'?)(\\S+)")) { m -> m.groupValues[1] + StoreUrls.redact(m.groupValues[2]) }
        s = s.replace(Regex("(--script-args[= ]'?)([^ ']+)")) { m ->
            m.groupValues[1] + SecretArguments.redactCommandLine(listOf("--script-args", m.groupValues[2]))[1]
        }
        return s
    }
}
