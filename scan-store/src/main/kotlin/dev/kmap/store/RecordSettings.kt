package dev.kmap.store

import kotlinx.serialization.Serializable
import java.time.ZoneId

/**
 * What the store keeps about a run besides its plan, so that `kmap show` re-renders exactly what
 * the run wrote and `kmap --resume` needs nothing but the id: the report settings ([commandLine]
 * as the reports print it, kmap [version], `-v` [verbosity], `-d` [debugging], `--reason`
 * [showReason], `--open` [openOnly], the time [zone]), the CLI [arguments] (to restore the options
 * that are not part of the plan), the lines of the target files the run read ([targetFiles]:
 * `-iL`, `--excludefile`), and the [groupId] its shards share (null: the store finds or opens a
 * group for a sharded plan; see [ScanStore.record]).
 *
 * Secrets are left out of what is stored: [commandLine] and [arguments] are redacted by the store
 * (`--script-args` values of keys such as `password` or `token`, passwords in `--store` URLs).
 *
 * ```kotlin
 * val settings = RecordSettings(commandLine = "kmap -sT -p 22 10.0.0.5", version = "0.1.0", showReason = true)
 * ```
 */
@Serializable
public data class RecordSettings(
    val commandLine: String = "kmap",
    val version: String = "",
    val verbosity: Int = 0,
    val debugging: Int = 0,
    val showReason: Boolean = false,
    val openOnly: Boolean = false,
    val zone: String = ZoneId.systemDefault().id,
    val arguments: List<String> = emptyList(),
    val targetFiles: Map<String, List<String>> = emptyMap(),
    val groupId: String? = null,
)
