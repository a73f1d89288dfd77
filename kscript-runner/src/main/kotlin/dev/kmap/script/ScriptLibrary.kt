package dev.kmap.script

import java.io.File

/**
 * The scripts `--script` chooses from: the built-in ones (in this jar, listed in
 * [INDEX_RESOURCE]) and any `.scan.kts` file named by path. Selection takes nmap's forms: a
 * comma list of names (`http-title`), globs (`http-*`), categories (`default`, `safe`), `all`,
 * and file paths. `and`/`or`/`not` expressions are not supported.
 *
 * ```kotlin
 * val scripts = ScriptLibrary.builtIn().select("default,banner")
 * ```
 */
public class ScriptLibrary(public val scripts: List<Entry>) {
    /**
     * A library script: its id, the categories it declares and its source.
     *
     * ```kotlin
     * ScriptLibrary.builtIn().scripts.filter { "safe" in it.categories }.map { it.id }
     * ```
     */
    public data class Entry(val id: String, val categories: Set<String>, val source: ScriptSource)

    /**
     * The scripts [selectors] name (comma-separated; each a name, glob, category, `all` or a
     * `.scan.kts` path), in library order then file order, without duplicates. Throws
     * [ScriptSelectionException] naming the first selector that matches nothing.
     */
    public fun select(selectors: String): List<ScriptSource> = select(selectors.split(',').map { it.trim() }.filter { it.isNotEmpty() })

    /** As [select] for a list of selectors. */
    public fun select(selectors: List<String>): List<ScriptSource> {
        val picked = LinkedHashSet<String>()
        val files = ArrayList<ScriptSource>()
        for (raw in selectors.flatMap { s -> s.split(',') }.map { it.trim() }.filter { it.isNotEmpty() }) {
            val sel = raw.removeSuffix(".scan.kts").takeIf { raw.endsWith(".scan.kts") && !raw.contains('/') && File(raw).exists().not() } ?: raw
            val matches = when {
                sel == "all" -> scripts
                sel.endsWith(".scan.kts") || sel.contains('/') -> { files += ScriptSource.of(File(sel)); continue }
                sel.any { it == '*' || it == '?' } -> { val re = glob(sel); scripts.filter { re.matches(it.id) } }
                else -> scripts.filter { it.id == sel }.ifEmpty { scripts.filter { sel in it.categories } }
            }
            if (matches.isEmpty()) {
                throw ScriptSelectionException("unknown script \"$raw\" (expected a script name, glob, category or .scan.kts file; built-in: ${scripts.joinToString(", ") { it.id }})")
            }
            matches.forEach { picked += it.id }
        }
        return scripts.filter { it.id in picked }.map { it.source } + files.distinctBy { it.file?.absoluteFile }
    }

    private fun glob(g: String) = Regex(g.split('*').joinToString(".*") { part -> part.split('?').joinToString(".") { Regex.escape(it) } })

    public companion object {
        /** Class-path resource listing the built-in scripts' file names, one per line. */
        public const val INDEX_RESOURCE: String = "/dev/kmap/script/builtin/index.txt"

        private val SECRET_ARGUMENT = Regex("""^\s*argument\(\s*"([^"]+)"[^\n]*\bsecret\s*=\s*true""", RegexOption.MULTILINE)

        /**
         * The argument names [sources] declare secret (`argument("user", "…", secret = true)`, on
         * one line), read from their text without compiling: `script.name` and `name` for each.
         */
        public fun secretArguments(sources: List<ScriptSource>): Set<String> = sources.flatMap { s ->
            SECRET_ARGUMENT.findAll(s.text).flatMap { m -> listOf("${s.id}.${m.groupValues[1]}", m.groupValues[1]) }
        }.toSet()

        private val CATEGORIES = Regex("""^\s*categories\(([^)]*)\)""", RegexOption.MULTILINE)

        /** The built-in scripts shipped in this jar. */
        public fun builtIn(): ScriptLibrary {
            val index = ScriptLibrary::class.java.getResource(INDEX_RESOURCE)?.readText() ?: error("$INDEX_RESOURCE is missing from the jar")
            return ScriptLibrary(index.lines().map { it.trim() }.filter { it.isNotEmpty() && !it.startsWith("#") }.map { name ->
                val text = ScriptLibrary::class.java.getResource("/dev/kmap/script/builtin/$name")?.readText() ?: error("built-in script $name is missing")
                val source = ScriptSource(name, text)
                Entry(source.id, categoriesOf(text), source)
            })
        }

        /**
         * The categories a script declares, read from its text without compiling it: the string
         * literals of its top-level `categories(...)` call (which must be on one line).
         */
        public fun categoriesOf(text: String): Set<String> =
            CATEGORIES.findAll(text).flatMap { m -> Regex("\"([^\"]*)\"").findAll(m.groupValues[1]).map { it.groupValues[1] } }.toSet()
    }
}
