package dev.kmap.dsl

/**
 * Script arguments that hold secrets (passwords, tokens, keys) and how their values are hidden
 * wherever a plan or a command line is echoed (reports' `args`, the plan in JSON, `# … as:`
 * lines). An argument is secret when its name, or the part after the script prefix
 * (`redis-info.password` → `password`), ends in one of [SUFFIXES], or when a script declares it
 * secret (`argument("user", "…", secret = true)`: pass those names as `declared`).
 *
 * ```kotlin
 * SecretArguments.isSecret("redis-info.password")                      // true
 * SecretArguments.redactCommandLine(listOf("--script-args", "redis-info.password=hunter2"))
 * // [--script-args, redis-info.password=***]
 * ```
 */
public object SecretArguments {
    /** What a secret value is replaced with. */
    public const val MASK: String = "***"

    /** Name endings that make an argument secret (case-insensitive). */
    public val SUFFIXES: List<String> = listOf("password", "pass", "secret", "token", "key")

    /** True when argument [name] holds a secret (see the class doc); [declared] are names scripts declared secret. */
    public fun isSecret(name: String, declared: Set<String> = emptySet()): Boolean {
        val last = name.substringAfterLast('.')
        return SUFFIXES.any { last.endsWith(it, ignoreCase = true) } || name in declared || last in declared
    }

    /** [args] with every secret value replaced by [MASK]. */
    public fun redact(args: Map<String, String>, declared: Set<String> = emptySet()): Map<String, String> =
        args.mapValues { (k, v) -> if (isSecret(k, declared)) MASK else v }

    /** [plan] with the secret values of its script selections replaced by [MASK] (for reports). */
    public fun redact(plan: ScanPlan, declared: Set<String> = emptySet()): ScanPlan =
        if (plan.scripts.none { s -> s.args.keys.any { isSecret(it, declared) } }) plan
        else plan.copy(scripts = plan.scripts.map { it.copy(args = redact(it.args, declared)) })

    /**
     * A command line (the words after the program name) with the secret values of its
     * `--script-args` (and `--script-args=…`) replaced by [MASK]; a value that does not parse is
     * masked whole.
     */
    public fun redactCommandLine(words: List<String>, declared: Set<String> = emptySet()): List<String> {
        val out = ArrayList<String>(words.size)
        var i = 0
        while (i < words.size) {
            val w = words[i]
            when {
                w == "--script-args" && i + 1 < words.size -> { out += w; out += redactText(words[i + 1], declared); i += 2; continue }
                w.startsWith("--script-args=") -> out += "--script-args=" + redactText(w.removePrefix("--script-args="), declared)
                else -> out += w
            }
            i++
        }
        return out
    }

    private fun redactText(text: String, declared: Set<String>): String {
        val args = try { ScriptArgsText.parse(text) } catch (e: InvalidSpecException) { return MASK }
        if (args.keys.none { isSecret(it, declared) }) return text
        return ScriptArgsText.format(redact(args, declared))
    }
}
