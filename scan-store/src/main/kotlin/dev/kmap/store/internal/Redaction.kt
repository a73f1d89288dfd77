package dev.kmap.store.internal

/**
 * Leaves secrets out of what the store keeps of a command line: values of `--script-args` keys
 * that name a secret (password, pass, pwd, secret, token, key, auth, credential, cookie), and
 * passwords in store URLs (`--store`).
 */
internal object Redaction {
    private val SECRET_KEY = Regex("(?i)(pass|pwd|secret|token|key|auth|cred|cookie)")
    private val SCRIPT_ARG = Regex("([A-Za-z0-9_.-]+)=([^,]*)")

    fun arguments(args: List<String>): List<String> {
        val out = ArrayList<String>(args.size)
        var i = 0
        while (i < args.size) {
            val a = args[i]
            when {
                a == "--script-args" && i + 1 < args.size -> { out += a; out += scriptArgs(args[i + 1]); i += 2; continue }
                a.startsWith("--script-args=") -> out += "--script-args=" + scriptArgs(a.removePrefix("--script-args="))
                a == "--store" && i + 1 < args.size -> { out += a; out += StoreUrls.redact(args[i + 1]); i += 2; continue }
                a.startsWith("--store=") -> out += "--store=" + StoreUrls.redact(a.removePrefix("--store="))
                else -> out += a
            }
            i++
        }
        return out
    }

    /** A command line as one string: the same rules applied word by word. */
    fun commandLine(line: String): String {
        var s = line.replace(Regex("(--store[= ]'?)(\\S+)")) { m -> m.groupValues[1] + StoreUrls.redact(m.groupValues[2]) }
        s = s.replace(Regex("(--script-args[= ]'?)([^ ']+)")) { m -> m.groupValues[1] + scriptArgs(m.groupValues[2]) }
        return s
    }

    private fun scriptArgs(text: String): String = text.replace(SCRIPT_ARG) { m ->
        if (SECRET_KEY.containsMatchIn(m.groupValues[1].substringAfterLast('.'))) "${m.groupValues[1]}=***" else m.value
    }
}
