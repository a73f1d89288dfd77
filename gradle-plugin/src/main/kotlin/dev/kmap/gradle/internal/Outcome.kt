package dev.kmap.gradle.internal

import java.io.File

/**
 * The result a scan hands back from the worker: tool [errors] and expectation [violations]
 * (one-line messages). Kept as a tab-separated text file so the task side needs no
 * serialization library (it runs on the build's Kotlin, the worker on kmap's).
 */
internal data class Outcome(val errors: List<String>, val violations: List<String>) {
    fun write(file: File) {
        file.parentFile?.mkdirs()
        file.writeText(buildString {
            errors.forEach { append("error\t").append(clean(it)).append('\n') }
            violations.forEach { append("violation\t").append(clean(it)).append('\n') }
        })
    }

    companion object {
        fun read(file: File): Outcome {
            if (!file.isFile) return Outcome(listOf("the scan wrote no outcome (${file.path})"), emptyList())
            val lines = file.readLines().filter { it.isNotEmpty() }
            return Outcome(
                lines.filter { it.startsWith("error\t") }.map { it.substringAfter('\t') },
                lines.filter { it.startsWith("violation\t") }.map { it.substringAfter('\t') },
            )
        }

        private fun clean(text: String) = text.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ')
    }
}
